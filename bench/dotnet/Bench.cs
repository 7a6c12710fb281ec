// The C# side of bench/dotnet/run.sh: Signer.Sign through the package (P/Invoke
// into the release libqencode_cdn), measured exactly as
// bindings-c/examples/core_rate.rs measures the Rust core (same key id, uri,
// options, rounds and batches), plus the platform's own RSA
// (System.Security.Cryptography.RSA.SignData, PKCS#1 v1.5 / SHA-256) on the
// same signing input, and a trivial call (live URL build) for the per-call cost.
// Prints `sign_ns_min=… sign_ns_median=… url_ns_min=… rsa_ns_min=… rsa=<type>`.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Qencode.Cdn;

static class Bench
{
    const string Kid = "ec25a6a6-b31e-4ac9-af01-711460421c6b";
    const string Uri = "1f1ab6a3-d867-4787-b882-7f2fb1203634";

    static int Main(string[] args)
    {
        if (args.Length != 3) { Console.Error.WriteLine("usage: Bench.exe KEY.pem ROUNDS BATCH"); return 2; }
        string keyPath = args[0];
        int rounds = int.Parse(args[1]), batch = int.Parse(args[2]);
        using (var signer = Signer.FromFile(Kid, keyPath))
        {
            var opts = new SignOptions { Now = DateTimeOffset.FromUnixTimeSeconds(1700000000) };
            string token = null;
            for (int i = 0; i < Math.Min(batch, 20); i++) token = signer.Sign(Uri, opts);
            var sign = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < batch; i++) token = signer.Sign(Uri, opts);
                sign.Add(sw.Elapsed.TotalMilliseconds * 1e6 / batch);
            }
            var url = new List<double>();
            const int urlBatch = 200000;
            for (int r = 0; r < rounds; r++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < urlBatch; i++) Urls.LivePlaybackUrl("abc123");
                url.Add(sw.Elapsed.TotalMilliseconds * 1e6 / urlBatch);
            }

            // The platform's RSA on the same signing input; its signature must be ours.
            var parts = token.Split('.');
            byte[] input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            var rsaTimes = new List<double>();
            string impl;
            using (var rsa = RSA.Create())
            {
                rsa.ImportParameters(Pkcs1(File.ReadAllText(keyPath)));
                impl = rsa.GetType().FullName;
                byte[] sig = rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                if (B64Url(sig) != parts[2]) { Console.Error.WriteLine("RSA.SignData gave another signature than ours"); return 1; }
                int rsaBatch = Math.Max(2, batch / 10);
                for (int r = 0; r < rounds; r++)
                {
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < rsaBatch; i++) rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                    rsaTimes.Add(sw.Elapsed.TotalMilliseconds * 1e6 / rsaBatch);
                }
            }
            Console.WriteLine("sign_ns_min={0:F0} sign_ns_median={1:F0} url_ns_min={2:F1} rsa_ns_min={3:F0} rsa={4}",
                sign.Min(), sign.OrderBy(x => x).ElementAt(sign.Count / 2), url.Min(), rsaTimes.Min(), impl);
        }
        return 0;
    }

    static string B64Url(byte[] b) { return Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_'); }

    // A PKCS#1 RSAPrivateKey PEM as RSAParameters (netstandard2.0 has no PEM import).
    static RSAParameters Pkcs1(string pem)
    {
        var b64 = string.Concat(pem.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("-----")));
        var der = Convert.FromBase64String(b64);
        int i = 0;
        var seq = Take(der, ref i);
        var ints = new List<byte[]>();
        int j = 0;
        while (j < seq.Length) ints.Add(Take(seq, ref j));
        var n = Trim(ints[1], 0);
        int half = (n.Length + 1) / 2;
        return new RSAParameters
        {
            Modulus = n, Exponent = Trim(ints[2], 0), D = Trim(ints[3], n.Length), P = Trim(ints[4], half), Q = Trim(ints[5], half),
            DP = Trim(ints[6], half), DQ = Trim(ints[7], half), InverseQ = Trim(ints[8], half),
        };
    }

    static byte[] Take(byte[] d, ref int i)
    {
        i++; // tag
        int len = d[i++];
        if (len >= 0x80) { int k = len & 0x7f; len = 0; while (k-- > 0) len = (len << 8) | d[i++]; }
        var v = new byte[len];
        Array.Copy(d, i, v, 0, len);
        i += len;
        return v;
    }

    static byte[] Trim(byte[] v, int size)
    {
        int skip = 0;
        while (skip < v.Length - 1 && v[skip] == 0) skip++;
        var r = new byte[Math.Max(size, v.Length - skip)];
        Array.Copy(v, skip, r, r.Length - (v.Length - skip), v.Length - skip);
        return r;
    }
}
