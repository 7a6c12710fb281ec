// Interop with the platform's own crypto: System.Security.Cryptography.RSA
// (PKCS#1 v1.5, SHA-256) verifies our tokens from the public key, and a token
// it signs is accepted by our Verifier. The keys are read here with a small
// independent DER reader (netstandard2.0 has no PEM import), not through the package.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using NUnit.Framework;
using Qencode.Cdn;

namespace Qencode.Cdn.Tests
{
    internal static class Der
    {
        internal static byte[] Pem(string pem)
        {
            var lines = pem.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal));
            return Convert.FromBase64String(string.Concat(lines));
        }

        private static int Length(byte[] d, ref int i)
        {
            int b = d[i++];
            if (b < 0x80) return b;
            int n = b & 0x7f, len = 0;
            while (n-- > 0) len = (len << 8) | d[i++];
            return len;
        }

        /// <summary>The contents of the TLV at i (tag checked); i moves past it.</summary>
        internal static byte[] Take(byte[] d, ref int i, byte tag)
        {
            if (d[i] != tag) throw new FormatException("DER tag " + d[i] + ", wanted " + tag);
            i++;
            int len = Length(d, ref i);
            var v = new byte[len];
            Array.Copy(d, i, v, 0, len);
            i += len;
            return v;
        }

        private static byte[] Unsigned(byte[] v, int size)
        {
            int skip = 0;
            while (skip < v.Length - 1 && v[skip] == 0) skip++;
            var r = new byte[Math.Max(size, v.Length - skip)];
            Array.Copy(v, skip, r, r.Length - (v.Length - skip), v.Length - skip);
            return r;
        }

        private static List<byte[]> Integers(byte[] seq)
        {
            var list = new List<byte[]>();
            int i = 0;
            while (i < seq.Length) list.Add(Take(seq, ref i, 0x02));
            return list;
        }

        /// <summary>RSAParameters of an SPKI public key (BEGIN PUBLIC KEY).</summary>
        internal static RSAParameters Public(string pem)
        {
            var d = Pem(pem);
            int i = 0;
            var spki = Take(d, ref i, 0x30);
            int j = 0;
            Take(spki, ref j, 0x30); // algorithm
            var bits = Take(spki, ref j, 0x03);
            var inner = new byte[bits.Length - 1];
            Array.Copy(bits, 1, inner, 0, inner.Length);
            int k = 0;
            var ints = Integers(Take(inner, ref k, 0x30));
            return new RSAParameters { Modulus = Unsigned(ints[0], 0), Exponent = Unsigned(ints[1], 0) };
        }

        /// <summary>RSAParameters of a PKCS#1 private key (BEGIN RSA PRIVATE KEY).</summary>
        internal static RSAParameters Private(string pem)
        {
            var d = Pem(pem);
            int i = 0;
            var ints = Integers(Take(d, ref i, 0x30));
            var n = Unsigned(ints[1], 0);
            int half = (n.Length + 1) / 2;
            return new RSAParameters
            {
                Modulus = n, Exponent = Unsigned(ints[2], 0), D = Unsigned(ints[3], n.Length),
                P = Unsigned(ints[4], half), Q = Unsigned(ints[5], half), DP = Unsigned(ints[6], half), DQ = Unsigned(ints[7], half), InverseQ = Unsigned(ints[8], half),
            };
        }

        /// <summary>RSAParameters of a private key file, PKCS#1 or PKCS#8 PEM.</summary>
        internal static RSAParameters PrivateAny(string pem)
        {
            if (pem.Contains("BEGIN RSA PRIVATE KEY")) return Private(pem);
            var d = Pem(pem);
            int i = 0;
            var seq = Take(d, ref i, 0x30);
            int j = 0;
            Take(seq, ref j, 0x02); // version
            Take(seq, ref j, 0x30); // algorithm
            var inner = Take(seq, ref j, 0x04);
            return Private("\n" + Convert.ToBase64String(inner) + "\n");
        }

        internal static string B64Url(byte[] b) { return Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_'); }
        internal static byte[] FromB64Url(string s)
        {
            s = s.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
        }
    }

    [TestFixture]
    public class InteropTests
    {
        private static bool RsaVerifies(RSAParameters pub, string token)
        {
            var parts = token.Split('.');
            using (var rsa = RSA.Create())
            {
                rsa.ImportParameters(pub);
                return rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Der.FromB64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }
        }

        [Test]
        public void OurTokensVerifyWithSystemSecurityCryptography()
        {
            foreach (var bits in new[] { "2048", "4096" })
            {
                var pub = Der.Public(Repo.Text("tests/keys/rsa" + bits + ".spki.pem"));
                using (var s = Signer.FromPem(Repo.Kid, Repo.Text("tests/keys/rsa" + bits + ".pkcs1.pem")))
                {
                    foreach (var token in new[]
                    {
                        s.Sign("videos/a/"), s.Sign("", new SignOptions { NeverExpires = true }),
                        s.Sign("vidéos/👍", new SignOptions { ExpiresIn = TimeSpan.FromMinutes(5), Claims = new Dictionary<string, object> { { "viewer", "u-42" } } }),
                        s.SignedStorageUrl("my-bucket", "us-west", "videos/a.mp4").Split(new[] { "auth=" }, StringSplitOptions.None)[1],
                    })
                    {
                        Assert.That(RsaVerifies(pub, token), Is.True, bits + ": " + token);
                        var tampered = token.Substring(0, token.Length - 2) + (token.EndsWith("A", StringComparison.Ordinal) ? "BA" : "AA");
                        Assert.That(RsaVerifies(pub, tampered), Is.False, "the check can fail");
                    }
                }
            }
        }

        [Test]
        public void EveryExpectedTokenOfTheCasesVerifiesWithRsa()
        {
            // The public key of each token's signer, read independently from its key file.
            var tokens = new System.Collections.Generic.List<Tuple<string, string, string>>();
            foreach (var file in System.IO.Directory.GetFiles(Repo.File("tests/conformance"), "*.json"))
                foreach (Dictionary<string, object> c in (List<object>)((Dictionary<string, object>)Json.Parse(System.IO.File.ReadAllText(file)))["cases"])
                {
                    var expect = (Dictionary<string, object>)c["expect"];
                    var input = (Dictionary<string, object>)c["input"];
                    object token, signer;
                    if (!expect.TryGetValue("token", out token) || !input.TryGetValue("signer", out signer)) continue;
                    var key = ((Dictionary<string, object>)signer)["key"] as string;
                    if (key != null) tokens.Add(Tuple.Create((string)c["name"], key, (string)token));
                }
            foreach (var t in tokens)
            {
                var p = Der.PrivateAny(Repo.Text(t.Item2));
                Assert.That(RsaVerifies(new RSAParameters { Modulus = p.Modulus, Exponent = p.Exponent }, t.Item3), Is.True, t.Item1);
            }
            Assert.That(tokens.Count, Is.GreaterThanOrEqualTo(30));
        }

        [Test]
        public void ATokenSignedByRsaSignDataIsAcceptedAndIdenticalToOurs()
        {
            var priv = Der.Private(Repo.Key2048);
            string header = Der.B64Url(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"key-1\"}"));
            string payload = Der.B64Url(Encoding.UTF8.GetBytes("{\"uri\":\"videos/a/\",\"exp\":1700003600}"));
            byte[] sig;
            using (var rsa = RSA.Create())
            {
                rsa.ImportParameters(priv);
                sig = rsa.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }
            var token = header + "." + payload + "." + Der.B64Url(sig);
            using (var v = Verifier.FromPublicKey(Repo.Spki2048))
            {
                var t = v.Verify(token, new VerifyOptions { Now = Repo.At(1700000000) });
                Assert.That(t.KeyId, Is.EqualTo("key-1"));
                Assert.That(t.Uri, Is.EqualTo("videos/a/"));
                Assert.That(t.ExpiresAt, Is.EqualTo(Repo.At(1700003600)));
                Assert.Throws<InvalidSignatureException>(() => v.Verify(header + "." + payload + "." + Der.B64Url(sig.Reverse().ToArray())));
            }
            // PKCS#1 v1.5 is deterministic: the same claims give the same bytes.
            using (var s = Signer.FromPem("key-1", Repo.Key2048))
                Assert.That(s.Sign("videos/a/", new SignOptions { Now = Repo.At(1700000000) }), Is.EqualTo(token));
        }
    }
}
