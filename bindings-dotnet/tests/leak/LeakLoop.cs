// Run under valgrind by tests/suites/55-dotnet.sh: every kind of call through
// the package (handles, returned strings, JSON documents, error details on
// the failure paths) in a loop. The suite fails on any definitely/indirectly
// lost block whose stack holds a frame of libqencode_cdn (Mono's own
// allocations at exit are not ours), and on any invalid read or write there.
// The external signer's callback path runs every round (a function that
// signs, one that throws, one that returns garbage; cached; in batches), and
// at the end every function given to Signer.External must have been released
// (its GCHandle freed): the loop prints how many are still alive after a GC.
// With a PKCS#11 module as third argument (and SOFTHSM2_CONF), an HSM signer too.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Qencode.Cdn;

class LeakLoop
{
    // An absolute expiry: the cache does not round it, so a cached signer asks for the same signing inputs.
    static readonly SignOptions Pinned = new SignOptions { Now = DateTimeOffset.FromUnixTimeSeconds(1700000000), ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(1700003600) };

    static void Main(string[] args)
    {
        int n = int.Parse(args[0]);
        var pem = File.ReadAllText(args[1]);
        string module = args.Length > 2 ? args[2] : null;
        // What the "KMS" answers: the signatures of the signing inputs the loop asks for, made once by a local
        // signer (RS256 is deterministic), so that the callback path costs no RSA of its own under valgrind.
        var signatures = new Dictionary<string, byte[]>();
        using (var local = Signer.FromPem("key-1", pem))
            foreach (var uri in new[] { "videos/a/", "abc", "a/", "c/" })
            {
                var parts = local.Sign(uri, Pinned).Split('.');
                signatures[parts[0] + "." + parts[1]] = FromB64Url(parts[2]);
            }
        var functions = new List<WeakReference>();
        for (int i = 0; i < n; i++) Round(pem, module, signatures, functions, i);
        // The check's own canary: a function still referenced must be seen alive.
        int length = 256;
        Func<byte[], byte[]> kept = input => new byte[length];
        var canary = new WeakReference(kept);
        for (int i = 0; i < 3; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        Console.WriteLine("leak loop: " + n + " rounds; external functions still alive: " + functions.Count(w => w.IsAlive) + " of " + functions.Count
            + "; canary alive: " + canary.IsAlive);
        GC.KeepAlive(kept);
    }

    static byte[] FromB64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static void Round(string pem, string module, Dictionary<string, byte[]> signatures, List<WeakReference> functions, int round)
    {
        using (var s = Signer.FromPem("key-1", pem))
        using (var v = Verifier.FromSigner(s))
        {
            var t = s.Sign("videos/a/", new SignOptions { ExpiresIn = TimeSpan.FromMinutes(5) });
            v.Verify(t);
            v.Explain(s.SignedStorageUrl("my-bucket", "us-west", "videos/a/x.mp4"));
            v.ExplainToken(t);
            s.SignedCookie("videos/a/");
            s.SignedCookieFields("videos/a/");
            s.PublicKeyPem();
            s.PublicKeyJwk();
            Tokens.Audit(t);
            Tokens.DecodeUnverified(t);
            Urls.LivePlaybackUrl("abc", t);
            try { s.Sign("x", new SignOptions { ExpiresIn = null }); } catch (InvalidArgumentException) { }
            try { v.Verify("a.b.c"); } catch (MalformedTokenException) { }
            try { Signer.FromPem("k", "junk"); } catch (InvalidKeyException) { }
            try { Urls.StorageUrl("Bad", "us-west", "k"); } catch (InvalidArgumentException) { }
            using (var c = new Client("leak-test-key", new ClientOptions { ApiUrl = "http://127.0.0.1:1", AuthUrl = "http://127.0.0.1:1", MaxRetries = 0, Deadline = TimeSpan.FromSeconds(5) }))
                try { c.ListDomains(); } catch (TransportException) { }

            // Key sets.
            using (var set = Verifier.FromKeys(new Dictionary<string, string> { { "key-1", s.PublicKeyPem() }, { "key-2", s.PublicKeyJwk() } }))
            using (var again = Verifier.FromJwks(set.Jwks()))
            {
                again.Verify(t);
                if (again.KeyIds.Count != 2) throw new Exception("key ids");
                try { Verifier.FromJwks("{\"keys\":[]}"); } catch (InvalidArgumentException) { }
                try { Verifier.FromKeys(new Dictionary<string, string> { { "k", "junk" } }); } catch (InvalidKeyException) { }
            }

            // Two-phase signing, batches on the library's threads, the cache.
            var prepared = s.Prepare("videos/a/", Pinned);
            prepared.Finish(signatures[prepared.SigningInputText]);
            try { prepared.Finish(new byte[256]); } catch (SignerFailedException) { }
            try { s.Finish("junk", new byte[256]); } catch (InvalidArgumentException) { }
            s.SignMany(new[] { "a/", "/bad", "c/", "d/" }, null, 2);
            using (var cached = s.Cached(TimeSpan.FromMinutes(1)))
            {
                cached.Sign("a/");
                cached.Sign("a/");
                if (cached.CachedTokens != 1) throw new Exception("cache");
            }

            // External signers: the callback path, good and broken, cached, in batches.
            Func<byte[], byte[]> kms = input => signatures[System.Text.Encoding.ASCII.GetString(input)];
            // Each captures `round`: a lambda that captures nothing is cached in a static field (and never collected).
            Func<byte[], byte[]> throws = input => { throw new InvalidOperationException("KMS: throttled in round " + round); };
            Func<byte[], byte[]> garbage = input => new byte[round % 7 + 256];
            functions.Add(new WeakReference(kms));
            functions.Add(new WeakReference(throws));
            functions.Add(new WeakReference(garbage));
            using (var ext = Signer.External("key-1", s.PublicKeyPem(), kms))
            using (var cachedExt = ext.Cached(TimeSpan.FromMinutes(1), null, true))
            {
                ext.Sign("videos/a/", Pinned);
                ext.SignedLiveUrl("abc", Pinned);
                if (ext.SignMany(new[] { "a/", "/bad", "c/" }, Pinned, 2).Count(r => r.Ok) != 2) throw new Exception("batch");
                cachedExt.Sign("a/", Pinned);
                cachedExt.Sign("a/", Pinned);
            }
            using (var ext = Signer.External("key-1", s.PublicKeyPem(), throws))
            {
                try { ext.Sign("videos/a/"); } catch (SignerFailedException) { }
                ext.SignMany(new[] { "a/", "b/" }, null, 2);
            }
            using (var ext = Signer.External("key-1", s.PublicKeyPem(), garbage))
                try { ext.Sign("videos/a/"); } catch (SignerFailedException) { }
            try { Signer.External("key-1", "junk", kms); } catch (InvalidKeyException) { }
            // An asynchronous function: awaited (SignAsync, SignManyAsync) and waited for (Sign).
            Func<byte[], System.Threading.CancellationToken, System.Threading.Tasks.Task<byte[]>> kmsAsync =
                (input, ct) => System.Threading.Tasks.Task.FromResult(kms(input));
            functions.Add(new WeakReference(kmsAsync));
            using (var ext = Signer.External("key-1", s.PublicKeyPem(), kmsAsync))
            {
                ext.SignAsync("videos/a/", Pinned).GetAwaiter().GetResult();
                ext.SignManyAsync(new[] { "a/", "/bad", "c/" }, Pinned, 2).GetAwaiter().GetResult();
                ext.Sign("abc", Pinned);
            }

            if (module != null)
                using (var hsm = Signer.FromPkcs11(module, "qcdn-test", "video-key", "1234", "key-1"))
                {
                    hsm.Sign("videos/a/");
                    hsm.SignMany(new[] { "a/", "b/", "c/" }, null, 2);
                    try { Signer.FromPkcs11(module, "qcdn-test", "no-such-key", "1234", "key-1"); } catch (InvalidKeyException) { }
                }
        }
    }
}
