// Run under valgrind by tests/suites/55-dotnet.sh: every kind of call through
// the package (handles, returned strings, JSON documents, error details on
// the failure paths) in a loop. The suite fails on any definitely/indirectly
// lost block whose stack holds a frame of libqencode_cdn (Mono's own
// allocations at exit are not ours), and on any invalid read or write there.
using System;
using System.IO;
using Qencode.Cdn;

class LeakLoop
{
    static void Main(string[] args)
    {
        int n = int.Parse(args[0]);
        var pem = File.ReadAllText(args[1]);
        for (int i = 0; i < n; i++)
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
                using (var c = new Client("leak-test-key", new ClientOptions { ApiUrl = "http://127.0.0.1:1", AuthUrl = "http://127.0.0.1:1", MaxRetries = 0 }))
                    try { c.ListDomains(); } catch (TransportException) { }
            }
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Console.WriteLine("leak loop: " + n + " rounds");
    }
}
