// Issuance at scale from C# (issue 18), the counterpart of core/examples/scale.rs:
// the same RSA-4096 test key, 1-hour tokens, 5-minute window, Zipf(1) over
// 10 000 videos at 1000 simulated requests a second, the same generator and
// seed. Prints one JSON object with the fields of scale.rs (single, many,
// many_ratio, cache_hits, zipf) plus C#'s own:
// - cache_hits_no_options: a hit without a SignOptions object (no JSON to write);
// - external: an external signer whose function answers from a table of
//   precomputed signatures (a KMS that costs nothing), against Prepare +
//   Finish of the same tokens with the same table and no callback: the
//   difference is what the managed callback (reverse P/Invoke, copies) adds;
//   the core builds and verifies every token in both.
// The simulated clock is `SignOptions.Now` with `cachePinnedClock: true`
// (scale.rs uses a Clock object, which the C ABI does not expose).
// Usage: mono BenchScale.exe KEY.pem [SECONDS] [ZIPF_REQUESTS]
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Qencode.Cdn;

static class BenchScale
{
    static double Rate(double secs, Func<int> f)
    {
        var sw = Stopwatch.StartNew();
        long n = 0;
        while (sw.Elapsed.TotalSeconds < secs) n += f();
        return n / sw.Elapsed.TotalSeconds;
    }

    // xorshift64*, as scale.rs.
    sealed class Rng
    {
        ulong s;
        internal Rng(ulong seed) { s = seed; }
        internal double Next()
        {
            s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
            return (double)((s * 0x2545F4914F6CDD1DUL) >> 11) / (1UL << 53);
        }
    }

    static string F(double v) { return v.ToString("0.###", CultureInfo.InvariantCulture); }

    static int Main(string[] args)
    {
        string key = args[0];
        double secs = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        int zipfRequests = args.Length > 2 ? int.Parse(args[2]) : 300000;
        int cores = Environment.ProcessorCount;
        var opts = new SignOptions { ExpiresIn = TimeSpan.FromHours(1) };
        using (var signer = Signer.FromFile("bench-key", key))
        {
            // One core, then every core, interleaved twice; the best of each.
            var batch = Enumerable.Range(0, cores * 16).Select(i => "videos/" + i + "/").ToList();
            double single = 0, many = 0;
            for (int round = 0; round < 2; round++)
            {
                single = Math.Max(single, Rate(secs, () => { signer.Sign("videos/a/", opts); return 1; }));
                many = Math.Max(many, Rate(secs, () =>
                {
                    var r = signer.SignMany(batch, opts);
                    if (r.Any(x => !x.Ok)) throw new Exception("a batch item failed");
                    return r.Count;
                }));
            }

            // Cache hits: the same uri again and again on one thread.
            double hits, hitsBare;
            using (var cached = signer.Cached(TimeSpan.FromMinutes(5)))
            {
                cached.Sign("videos/hot/", opts);
                cached.Sign("videos/bare/");
                hits = Rate(Math.Min(secs, 2), () => { for (int i = 0; i < 1000; i++) cached.Sign("videos/hot/", opts); return 1000; });
                hitsBare = Rate(Math.Min(secs, 2), () => { for (int i = 0; i < 1000; i++) cached.Sign("videos/bare/"); return 1000; });
            }

            // The realistic mix, on a simulated clock.
            var cdf = new double[10000];
            double total = 0;
            for (int k = 1; k <= cdf.Length; k++) total += 1.0 / k;
            double acc = 0;
            for (int k = 1; k <= cdf.Length; k++) { acc += 1.0 / k / total; cdf[k - 1] = acc; }
            var uris = Enumerable.Range(0, 10000).Select(i => "videos/" + i + "/").ToArray();
            var rng = new Rng(0x9E3779B97F4A7C15UL);
            long signatures = 0;
            long now = 1700000000;
            var sw = Stopwatch.StartNew();
            using (var mix = signer.Cached(TimeSpan.FromMinutes(5), null, true))
            {
                var at = new SignOptions { ExpiresIn = TimeSpan.FromHours(1), Now = DateTimeOffset.FromUnixTimeSeconds(now) };
                for (int i = 0; i < zipfRequests; i++)
                {
                    if (i % 1000 == 0) { now++; at = new SignOptions { ExpiresIn = TimeSpan.FromHours(1), Now = DateTimeOffset.FromUnixTimeSeconds(now) }; }
                    double u = rng.Next();
                    int video = Array.BinarySearch(cdf, u);
                    if (video < 0) video = ~video;
                    video = Math.Min(video, 9999);
                    long before = mix.CachedTokens;
                    mix.Sign(uris[video], at);
                    if (mix.CachedTokens != before) signatures++;
                }
            }
            double elapsed = sw.Elapsed.TotalSeconds;
            double plainTime = zipfRequests / single;

            // The external signer's callback: a KMS that answers from a table, against the same tokens
            // finished from prepared inputs (no callback). Both verify each signature with the public key.
            var pinned = Enumerable.Range(0, 64).Select(i => new SignOptions { Now = DateTimeOffset.FromUnixTimeSeconds(1700000000 + i) }).ToArray();
            var table = new Dictionary<string, byte[]>();
            foreach (var o in pinned)
            {
                var parts = signer.Sign("videos/a/", o).Split('.');
                table[parts[0] + "." + parts[1]] = FromB64Url(parts[2]);
            }
            double external = 0, finish = 0;
            using (var ext = Signer.External("bench-key", signer.PublicKeyPem(), input => table[System.Text.Encoding.ASCII.GetString(input)]))
                for (int round = 0; round < 3; round++)
                {
                    external = Math.Max(external, Rate(Math.Min(secs, 2), () => { foreach (var o in pinned) ext.Sign("videos/a/", o); return pinned.Length; }));
                    finish = Math.Max(finish, Rate(Math.Min(secs, 2), () =>
                    {
                        foreach (var o in pinned)
                        {
                            var p = ext.Prepare("videos/a/", o);
                            p.Finish(table[p.SigningInputText]);
                        }
                        return pinned.Length;
                    }));
                }

            Console.WriteLine("{" + string.Join(", ", new[]
            {
                "\"language\": \"dotnet\"", "\"runtime\": \"mono " + MonoVersion() + "\"", "\"key_bits\": " + signer.KeyBits, "\"cores\": " + cores,
                "\"single\": " + Math.Round(single), "\"many\": " + Math.Round(many), "\"many_ratio\": " + F(many / (cores * single)),
                "\"cache_hits\": " + Math.Round(hits), "\"cache_hits_no_options\": " + Math.Round(hitsBare),
                "\"zipf\": {\"requests\": " + zipfRequests + ", \"simulated_seconds\": " + zipfRequests / 1000 + ", \"signatures\": " + signatures
                    + ", \"signatures_per_request\": " + F(Math.Round((double)signatures / zipfRequests, 4)) + ", \"seconds\": " + F(Math.Round(elapsed, 2))
                    + ", \"speedup_over_plain\": " + F(Math.Round(plainTime / elapsed, 1)) + "}",
                "\"external\": {\"inline_callback\": " + Math.Round(external) + ", \"prepare_finish\": " + Math.Round(finish)
                    + ", \"callback_us\": " + F(Math.Round((1 / external - 1 / finish) * 1e6, 2)) + "}",
            }) + "}");
        }
        return 0;
    }

    static byte[] FromB64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }

    static string MonoVersion()
    {
        var t = Type.GetType("Mono.Runtime");
        var m = t == null ? null : t.GetMethod("GetDisplayName", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
        return m == null ? "?" : ((string)m.Invoke(null, null)).Split(' ')[0];
    }
}
