// Keys held elsewhere: Signer.External with a Func<byte[], byte[]> backed by
// the platform's own RSA (System.Security.Cryptography, keys read by the
// independent DER reader of InteropTests) gives the golden tokens byte for
// byte; every broken function gives SignerFailedException and never a token
// (what it threw is the InnerException); threads share one external signer;
// the function is released exactly once, by the last native signer sharing
// it; two-phase signing (Prepare / Finish / SignAsync); PKCS#11 on SoftHSM2.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using Qencode.Cdn;

namespace Qencode.Cdn.Tests
{
    /// <summary>
    /// The golden tokens: every sign case of tests/conformance/sign.json that expects a token
    /// and loads its key from a file (a case whose skip map names dotnet is left out, as by
    /// the runner), for the tests that sign them with a key held elsewhere.
    /// </summary>
    internal sealed class Golden
    {
        internal string Name, Kid, KeyFile, Uri, Token;
        internal SignOptions Options;

        internal static List<Golden> Vectors()
        {
            var list = new List<Golden>();
            foreach (Dictionary<string, object> c in (List<object>)((Dictionary<string, object>)Repo.JsonFile("tests/conformance/sign.json"))["cases"])
            {
                var input = (Dictionary<string, object>)c["input"];
                var expect = (Dictionary<string, object>)c["expect"];
                object token, signer;
                if ((string)c["op"] != "sign" || !expect.TryGetValue("token", out token) || !input.TryGetValue("signer", out signer)) continue;
                var key = ((Dictionary<string, object>)signer)["key"] as string;
                if (key == null || ConformanceTests.SkipReason(c) != null) continue;
                list.Add(new Golden
                {
                    Name = (string)c["name"], Kid = (string)((Dictionary<string, object>)signer)["kid"], KeyFile = key,
                    Uri = (string)input["uri"], Token = (string)token, Options = ConformanceTests.SignOpts(input["options"]),
                });
            }
            Assert.That(list.Count, Is.GreaterThanOrEqualTo(30));
            return list;
        }
    }

    /// <summary>The platform's RSA for a key file of tests/keys (PKCS#1 v1.5 with SHA-256: RS256).</summary>
    internal static class PlatformRsa
    {
        internal static RSA Load(string keyFile)
        {
            var rsa = RSA.Create();
            rsa.ImportParameters(Der.PrivateAny(Repo.Text(keyFile)));
            return rsa;
        }

        /// <summary>A signing function over one RSA object (locked: one RSA instance is not documented as thread-safe).</summary>
        internal static Func<byte[], byte[]> Function(RSA rsa)
        {
            return input => { lock (rsa) return rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1); };
        }

        internal static string PublicPem(string keyFile)
        {
            using (var s = Signer.FromFile("any", Repo.File(keyFile))) return s.PublicKeyPem();
        }
    }

    [TestFixture]
    public class ExternalSignerTests
    {
        private const string Key2048 = "tests/keys/rsa2048.pkcs1.pem";
        private static readonly SignOptions Pinned = new SignOptions { Now = Repo.At(1700000000), ExpiresIn = TimeSpan.FromMinutes(10) };
        private RSA rsa;
        private string pub;

        [TestFixtureSetUp] public void Load() { rsa = PlatformRsa.Load(Key2048); pub = PlatformRsa.PublicPem(Key2048); }
        [TestFixtureTearDown] public void Free() { rsa.Dispose(); }

        [Test]
        public void AFunctionOverThePlatformsRsaReproducesEveryGoldenVectorByteForByte()
        {
            var rsas = new Dictionary<string, RSA>();
            int calls = 0, n = 0;
            try
            {
                foreach (var v in Golden.Vectors())
                {
                    RSA r;
                    if (!rsas.TryGetValue(v.KeyFile, out r)) rsas[v.KeyFile] = r = PlatformRsa.Load(v.KeyFile);
                    var sign = PlatformRsa.Function(r);
                    using (var ext = Signer.External(v.Kid, PlatformRsa.PublicPem(v.KeyFile), input => { Interlocked.Increment(ref calls); return sign(input); }))
                    {
                        Assert.That(ext.IsExternal, Is.True);
                        Assert.That(ext.KeyId, Is.EqualTo(v.Kid));
                        Assert.That(ext.Sign(v.Uri, v.Options), Is.EqualTo(v.Token), v.Name);
                        n++;
                    }
                }
            }
            finally { foreach (var r in rsas.Values) r.Dispose(); }
            Assert.That(calls, Is.EqualTo(n), "one call of the function per token");
            // The public key as DER bytes (what KMS GetPublicKey returns), and as a JWK.
            using (var local = Signer.FromPem("key-1", Repo.Key2048))
            using (var der = Signer.External("key-1", Repo.Bytes("tests/keys/rsa2048.spki.der"), PlatformRsa.Function(rsa)))
            using (var jwk = Signer.External("key-1", local.PublicKeyJwk(), PlatformRsa.Function(rsa)))
            {
                Assert.That(der.Sign("videos/a/", Pinned), Is.EqualTo(local.Sign("videos/a/", Pinned)));
                Assert.That(jwk.Sign("videos/a/", Pinned), Is.EqualTo(local.Sign("videos/a/", Pinned)));
                Assert.That(der.KeyBits, Is.EqualTo(2048));
                Assert.That(local.IsExternal, Is.False);
            }
        }

        [Test]
        public void UrlsCookiesBatchesAndTheCacheOfAnExternalSignerAreTheLocalOnes()
        {
            using (var local = Signer.FromPem("key-1", Repo.Key2048))
            using (var ext = Signer.External("key-1", pub, PlatformRsa.Function(rsa)))
            {
                Assert.That(ext.SignedLiveUrl("abc123", Pinned), Is.EqualTo(local.SignedLiveUrl("abc123", Pinned)));
                Assert.That(ext.SignedStorageUrl("my-bucket", "us-west", "videos/a.mp4", Pinned), Is.EqualTo(local.SignedStorageUrl("my-bucket", "us-west", "videos/a.mp4", Pinned)));
                Assert.That(ext.SignUrl("https://cdn.example.com/v/a.m3u8?x=1", "v/", Pinned), Is.EqualTo(local.SignUrl("https://cdn.example.com/v/a.m3u8?x=1", "v/", Pinned)));
                Assert.That(ext.SignedCookie("videos/a/", Pinned, new CookieOptions { Domain = "example.com" }),
                    Is.EqualTo(local.SignedCookie("videos/a/", Pinned, new CookieOptions { Domain = "example.com" })));
                var uris = Enumerable.Range(0, 12).Select(i => "videos/" + i + "/").ToList();
                Assert.That(ext.SignMany(uris, Pinned, 4).Select(r => r.Token), Is.EqualTo(local.SignMany(uris, Pinned, 4).Select(r => r.Token)));
                using (var cached = ext.Cached(TimeSpan.FromSeconds(300), null, true))
                {
                    Assert.That(cached.IsExternal, Is.True);
                    var a = cached.Sign("videos/a/", new SignOptions { Now = Repo.At(1700000000) });
                    Assert.That(cached.Sign("videos/a/", new SignOptions { Now = Repo.At(1700000050) }), Is.EqualTo(a));
                    Assert.That(cached.CachedTokens, Is.EqualTo(1));
                }
            }
        }

        [Test]
        public void AFunctionThatThrowsIsSignerFailedWithWhatItThrewAsInnerException()
        {
            var thrown = new InvalidOperationException("KMS: throttled");
            int calls = 0;
            using (var ext = Signer.External("key-1", pub, input => { Interlocked.Increment(ref calls); throw thrown; }))
            using (var cached = ext.Cached(TimeSpan.FromSeconds(60)))
            {
                var calls_ = new Dictionary<string, Action>
                {
                    { "Sign", () => ext.Sign("videos/a/") },
                    { "SignedLiveUrl", () => ext.SignedLiveUrl("abc123") },
                    { "SignedStorageUrl", () => ext.SignedStorageUrl("my-bucket", "us-west", "k.mp4") },
                    { "SignUrl", () => ext.SignUrl("https://cdn.example.com/a", "a") },
                    { "SignedCookie", () => ext.SignedCookie("videos/") },
                    { "SignedCookieFields", () => ext.SignedCookieFields("videos/") },
                    { "Cached.Sign", () => cached.Sign("videos/a/") },
                    { "SignMany", () => { throw ext.SignMany(new[] { "videos/a/" })[0].Error; } },
                    { "SignMany.Token", () => { var unused = ext.SignMany(new[] { "a/", "b/", "c/" }, null, 2)[2].Token; } },
                    { "Cached.SignMany", () => { throw cached.SignMany(new[] { "videos/a/", "videos/b/" })[1].Error; } },
                };
                foreach (var c in calls_)
                {
                    var e = Assert.Throws<SignerFailedException>(() => c.Value(), c.Key);
                    Assert.That(e.Code, Is.EqualTo(ErrorCode.SignerFailed));
                    Assert.That(e.InnerException, Is.SameAs(thrown), c.Key);
                    Assert.That(e.Message, Is.StringStarting("SIGNER_FAILED: ").And.StringContaining("System.InvalidOperationException: KMS: throttled"), c.Key);
                }
                Assert.That(calls, Is.EqualTo(1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 3 + 2));
                // Nothing carries over: a later failure that threw nothing has no InnerException.
                using (var bad = Signer.External("key-1", pub, input => new byte[256]))
                    Assert.That(Assert.Throws<SignerFailedException>(() => bad.Sign("videos/a/")).InnerException, Is.Null);
            }
        }

        [Test]
        public void EveryBrokenSignatureIsSignerFailedAndNeverAToken()
        {
            var rng = new Random(7);
            var garbage = new byte[256];
            rng.NextBytes(garbage);
            using (var other = PlatformRsa.Load("tests/keys/rsa4096-b.pkcs1.pem"))
            using (var r4096 = PlatformRsa.Load("tests/keys/rsa4096.pkcs1.pem"))
            {
                var broken = new List<Tuple<string, string, string, Func<byte[], byte[]>, string>>
                {
                    // name, public key file, kid, function, what the message says
                    Tuple.Create("null", Key2048, "key-1", (Func<byte[], byte[]>)(input => null), "returned null"),
                    Tuple.Create("empty", Key2048, "key-1", (Func<byte[], byte[]>)(input => new byte[0]), "returned 0 bytes"),
                    Tuple.Create("short", Key2048, "key-1", (Func<byte[], byte[]>)(input => new byte[255]), "returned 255 bytes"),
                    Tuple.Create("long", Key2048, "key-1", (Func<byte[], byte[]>)(input => new byte[257]), "returned 257 bytes"),
                    Tuple.Create("beyond any key", Key2048, "key-1", (Func<byte[], byte[]>)(input => new byte[5000]), "5000 bytes"),
                    Tuple.Create("zeros", Key2048, "key-1", (Func<byte[], byte[]>)(input => new byte[256]), "does not verify"),
                    Tuple.Create("garbage", Key2048, "key-1", (Func<byte[], byte[]>)(input => (byte[])garbage.Clone()), "does not verify"),
                    Tuple.Create("another input", Key2048, "key-1", (Func<byte[], byte[]>)(input => PlatformRsa.Function(rsa)(Encoding.ASCII.GetBytes("x" + Encoding.ASCII.GetString(input)))), "does not verify"),
                    Tuple.Create("SHA-1, not RS256", Key2048, "key-1", (Func<byte[], byte[]>)(input => { lock (rsa) return rsa.SignData(input, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1); }), "does not verify"),
                    Tuple.Create("another key", "tests/keys/rsa4096.pkcs1.pem", "key-4", PlatformRsa.Function(other), "does not verify"),
                };
                foreach (var b in broken)
                    using (var ext = Signer.External(b.Item3, PlatformRsa.PublicPem(b.Item2), b.Item4))
                    {
                        var e = Assert.Throws<SignerFailedException>(() => ext.Sign("videos/a/", Pinned), b.Item1);
                        Assert.That(e.Message, Is.StringContaining(b.Item5), b.Item1);
                        Assert.That(e.InnerException, Is.Null, b.Item1);
                        Assert.Throws<SignerFailedException>(() => ext.SignedLiveUrl("abc123"), b.Item1);
                        var batch = ext.SignMany(new[] { "videos/a/", "videos/b/", "videos/c/" }, null, 3);
                        Assert.That(batch.All(r => !r.Ok && r.Error is SignerFailedException), Is.True, b.Item1);
                        Assert.Throws<SignerFailedException>(() => { var unused = batch[0].Token; }, b.Item1);
                    }
                // The 4096-bit key itself works through the same path.
                using (var ext = Signer.External("key-4", PlatformRsa.PublicPem("tests/keys/rsa4096.pkcs1.pem"), PlatformRsa.Function(r4096)))
                using (var local = Signer.FromFile("key-4", Repo.File("tests/keys/rsa4096.pkcs1.pem")))
                    Assert.That(ext.Sign("videos/a/", Pinned), Is.EqualTo(local.Sign("videos/a/", Pinned)));
            }
        }

        [Test]
        public void ALongExceptionMessageIsCutInOurMessageAndKeptWholeInTheInnerException()
        {
            string text = "KMS said: " + string.Concat(Enumerable.Repeat("vidéo 👍 ", 300));
            using (var ext = Signer.External("key-1", pub, input => { throw new ApplicationException(text); }))
            {
                var e = Assert.Throws<SignerFailedException>(() => ext.Sign("videos/a/"));
                Assert.That(e.InnerException.Message, Is.EqualTo(text));
                Assert.That(e.Message, Is.StringContaining("System.ApplicationException: KMS said: vidéo 👍 vidéo"));
                Assert.That(e.Message.Length, Is.LessThan(800), "cut at 500 characters of the exception's text");
                Assert.That(e.Message.IndexOf('\uFFFD'), Is.EqualTo(-1), "cut at a character boundary (no replacement character)");
            }
        }

        [Test]
        public void ConstructionErrorsAreTypedAndKeepNothingAlive()
        {
            Assert.Throws<InvalidArgumentException>(() => Signer.External("key-1", pub, (Func<byte[], byte[]>)null));
            Assert.Throws<InvalidArgumentException>(() => Signer.External("key-1", pub, (Func<byte[], CancellationToken, Task<byte[]>>)null));
            Assert.Throws<InvalidArgumentException>(() => Signer.External(null, pub, PlatformRsa.Function(rsa)));
            Assert.Throws<InvalidArgumentException>(() => Signer.External("key-1", (string)null, PlatformRsa.Function(rsa)));
            Assert.Throws<InvalidKeyException>(() => Signer.External("key-1", "not a key", PlatformRsa.Function(rsa)));
            Assert.Throws<InvalidKeyException>(() => Signer.External("key-1", PlatformRsa.PublicPem("tests/keys/rsa1024.pkcs1.pem"), PlatformRsa.Function(rsa)));
            // On failure the library does not keep the function: our GCHandle is freed at once.
            var weak = OnAnotherThread(() =>
            {
                var length = 256; // captured: a lambda that captures nothing would be cached in a static field
                Func<byte[], byte[]> f = input => new byte[length];
                try { Signer.External("key-1", "not a key", f); } catch (InvalidKeyException) { }
                return new WeakReference(f);
            });
            Collect();
            Assert.That(weak.IsAlive, Is.False, "the function of a signer that was never made is not kept");
        }

        private static T OnAnotherThread<T>(Func<T> f)
        {
            // A thread of its own, so that no stack slot of this one (Mono scans stacks conservatively) keeps anything alive.
            T result = default(T);
            var t = new Thread(() => { result = f(); });
            t.Start();
            t.Join();
            return result;
        }

        private static void Collect()
        {
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        [Test]
        public void TheFunctionIsReleasedExactlyOnceByTheLastSignerSharingIt()
        {
            var signer = Signer.External("key-1", pub, PlatformRsa.Function(rsa));
            var cached = signer.Cached(TimeSpan.FromSeconds(60));
            var state = signer.ExternalState;
            Assert.That(cached.ExternalState, Is.SameAs(state), "a cached signer shares the function");
            Assert.That(state.Released, Is.EqualTo(0));
            signer.Dispose();
            Collect();
            Assert.That(state.Released, Is.EqualTo(0), "the cached signer still shares it");
            Assert.That(cached.Sign("videos/a/", Pinned), Is.Not.Empty, "and still calls it");
            cached.Dispose();
            Assert.That(state.Released, Is.EqualTo(1), "released when the last one is disposed");
            cached.Dispose();
            signer.Dispose();
            Collect();
            Assert.That(state.Released, Is.EqualTo(1), "exactly once");
        }

        [Test]
        public void OnceReleasedTheFunctionIsNoLongerKeptFromTheGarbageCollector()
        {
            var weak = OnAnotherThread(() =>
            {
                Func<byte[], byte[]> f = PlatformRsa.Function(rsa);
                using (var signer = Signer.External("key-1", pub, f))
                using (var cached = signer.Cached(TimeSpan.FromSeconds(60)))
                    cached.Sign("videos/a/");
                return new WeakReference(f);
            });
            Collect();
            Assert.That(weak.IsAlive, Is.False, "the GCHandle was freed");
        }

        [Test]
        public void AnExternalSignerNeverDisposedIsReleasedByItsFinalizer()
        {
            var state = OnAnotherThread(() =>
            {
                var ext = Signer.External("key-1", pub, PlatformRsa.Function(rsa));
                ext.Sign("videos/a/");
                return ext.ExternalState;
            });
            Collect();
            Assert.That(state.Released, Is.EqualTo(1));
        }

        [Test]
        public void EightThreadsShareOneExternalSignerAndBatchesBoundTheCallsInFlight()
        {
            using (var local = Signer.FromPem("key-1", Repo.Key2048))
            {
                var perThread = new ThreadLocal<RSA>(() => PlatformRsa.Load(Key2048), true);
                int inFlight = 0, most = 0, calls = 0;
                Func<byte[], byte[]> sign = input =>
                {
                    int now = Interlocked.Increment(ref inFlight);
                    int seen;
                    while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
                    Interlocked.Increment(ref calls);
                    try { return perThread.Value.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1); }
                    finally { Interlocked.Decrement(ref inFlight); }
                };
                using (var ext = Signer.External("key-1", pub, sign))
                {
                    var failures = new List<string>();
                    var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
                    {
                        for (int i = 0; i < 10; i++)
                        {
                            var uri = "videos/" + t + "/" + i + "/";
                            var o = new SignOptions { Now = Repo.At(1700000000 + i), Claims = new Dictionary<string, object> { { "t", t } } };
                            if (ext.Sign(uri, o) != local.Sign(uri, o)) lock (failures) failures.Add(uri);
                        }
                    })).ToList();
                    threads.ForEach(th => th.Start());
                    threads.ForEach(th => th.Join());
                    Assert.That(failures, Is.Empty);
                    Assert.That(calls, Is.EqualTo(80));

                    most = 0;
                    var uris = Enumerable.Range(0, 40).Select(i => "videos/" + i + "/").ToList();
                    var batch = ext.SignMany(uris, Pinned, 3);
                    Assert.That(batch.Select(r => r.Token), Is.EqualTo(uris.Select(u => local.Sign(u, Pinned))));
                    Assert.That(most, Is.InRange(1, 3), "at most `threads` calls in flight");
                    Assert.That(calls, Is.EqualTo(120));
                }
                foreach (var r in perThread.Values) r.Dispose();
                perThread.Dispose();
            }
        }

        // ---- two-phase signing ---------------------------------------------------------

        [Test]
        public void PrepareThenFinishIsTheTokenSignWouldGive()
        {
            using (var local = Signer.FromPem("key-1", Repo.Key2048))
            using (var other = Signer.FromFile("key-4", Repo.File("tests/keys/rsa4096.pkcs1.pem")))
            {
                var p = local.Prepare("videos/a/", Pinned);
                Assert.That(Encoding.ASCII.GetString(p.SigningInput), Is.EqualTo(p.SigningInputText));
                Assert.That(p.SigningInputText.Split('.').Length, Is.EqualTo(2));
                var sig = PlatformRsa.Function(rsa)(p.SigningInput);
                Assert.That(p.Finish(sig), Is.EqualTo(local.Sign("videos/a/", Pinned)));
                Assert.That(local.Finish(p.SigningInputText, sig), Is.EqualTo(local.Sign("videos/a/", Pinned)));
                Assert.That(p.ToString(), Is.EqualTo("PreparedToken(KeyId=key-1)"));

                Assert.That(Assert.Throws<SignerFailedException>(() => p.Finish(new byte[256])).Message, Is.StringContaining("does not verify"));
                Assert.Throws<SignerFailedException>(() => p.Finish(new byte[10]));
                Assert.Throws<InvalidArgumentException>(() => other.Finish(p.SigningInputText, sig), "prepared by another signer");
                Assert.Throws<InvalidArgumentException>(() => local.Finish("not.a-payload", sig));
                Assert.Throws<InvalidArgumentException>(() => local.Prepare("/videos/a/"), "the checks of Sign");
                Assert.Throws<InvalidArgumentException>(() => local.Prepare("videos/a/", new SignOptions { ExpiresIn = null }));
                // The signature is checked against the key: a wrong one is never a token, also for a finish through an external signer.
                int calls = 0;
                using (var ext = Signer.External("key-1", pub, input => { calls++; return PlatformRsa.Function(rsa)(input); }))
                {
                    var q = ext.Prepare("videos/a/", Pinned);
                    Assert.That(calls, Is.EqualTo(0), "Prepare does not call the function");
                    Assert.That(q.Finish(sig), Is.EqualTo(local.Sign("videos/a/", Pinned)));
                }
            }
        }

        [Test]
        public void AnAsynchronousFunctionIsAwaitedBySignAsyncAndWaitedForBySign()
        {
            using (var local = Signer.FromPem("key-1", Repo.Key2048))
            {
                int calls = 0;
                Func<byte[], CancellationToken, Task<byte[]>> kms = async (input, ct) =>
                {
                    Interlocked.Increment(ref calls);
                    await Task.Delay(5, ct).ConfigureAwait(false); // the network
                    return PlatformRsa.Function(rsa)(input);
                };
                using (var ext = Signer.External("key-1", pub, kms))
                {
                    Assert.That(ext.IsExternal, Is.True);
                    var tasks = Enumerable.Range(0, 10).Select(i => ext.SignAsync("videos/" + i + "/", Pinned)).ToArray();
                    Task.WaitAll(tasks);
                    Assert.That(tasks.Select(t => t.Result), Is.EqualTo(Enumerable.Range(0, 10).Select(i => local.Sign("videos/" + i + "/", Pinned))));
                    Assert.That(calls, Is.EqualTo(10));
                    // The synchronous methods wait for the task.
                    Assert.That(ext.Sign("videos/a/", Pinned), Is.EqualTo(local.Sign("videos/a/", Pinned)));
                    Assert.That(ext.SignMany(new[] { "a/", "b/", "c/" }, Pinned, 3).Select(r => r.Token), Is.EqualTo(new[] { "a/", "b/", "c/" }.Select(u => local.Sign(u, Pinned))));
                    Assert.That(ext.SignedLiveUrl("abc123", Pinned), Is.EqualTo(local.SignedLiveUrl("abc123", Pinned)));
                    using (var cts = new CancellationTokenSource())
                    {
                        cts.Cancel();
                        Assert.Throws<OperationCanceledException>(() => ext.SignAsync("videos/a/", Pinned, cts.Token).GetAwaiter().GetResult());
                    }
                    using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(1)))
                    using (var slow = Signer.External("key-1", pub, async (input, ct) => { await Task.Delay(TimeSpan.FromMinutes(5), ct); return new byte[256]; }))
                        Assert.That(() => slow.SignAsync("videos/a/", Pinned, cts.Token).GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>(), "the token reaches the function");
                }

                // What it throws (at once or later) is the InnerException; a wrong signature is never a token.
                var thrown = new TimeoutException("KMS: no answer");
                Func<byte[], CancellationToken, Task<byte[]>> throwsLater = async (input, ct) => { await Task.Yield(); throw thrown; };
                Func<byte[], CancellationToken, Task<byte[]>> throwsAtOnce = (input, ct) => { throw thrown; };
                foreach (var f in new[] { throwsLater, throwsAtOnce })
                    using (var ext = Signer.External("key-1", pub, f))
                    {
                        var e = Assert.Throws<SignerFailedException>(() => ext.SignAsync("videos/a/").GetAwaiter().GetResult());
                        Assert.That(e.InnerException, Is.SameAs(thrown));
                        Assert.That(e.Message, Is.StringContaining("System.TimeoutException: KMS: no answer"));
                        Assert.That(Assert.Throws<SignerFailedException>(() => ext.Sign("videos/a/")).InnerException, Is.SameAs(thrown));
                    }
                using (var ext = Signer.External("key-1", pub, (input, ct) => Task.FromResult(new byte[256])))
                {
                    Assert.Throws<SignerFailedException>(() => ext.SignAsync("videos/a/").GetAwaiter().GetResult());
                    Assert.Throws<SignerFailedException>(() => ext.Sign("videos/a/"));
                }
                using (var ext = Signer.External("key-1", pub, (input, ct) => Task.FromResult<byte[]>(null)))
                    Assert.That(Assert.Throws<SignerFailedException>(() => ext.SignAsync("videos/a/").GetAwaiter().GetResult()).Message, Is.StringContaining("null"));
                using (var ext = Signer.External("key-1", pub, (input, ct) => (Task<byte[]>)null))
                    Assert.Throws<SignerFailedException>(() => ext.SignAsync("videos/a/").GetAwaiter().GetResult());

                // Batches: each item prepared, its signature awaited (bounded), finished; a bad item is its own result.
                int inFlight = 0, most = 0;
                Func<byte[], CancellationToken, Task<byte[]>> counted = async (input, ct) =>
                {
                    int now = Interlocked.Increment(ref inFlight);
                    int seen;
                    while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
                    try { await Task.Delay(2, ct).ConfigureAwait(false); return PlatformRsa.Function(rsa)(input); }
                    finally { Interlocked.Decrement(ref inFlight); }
                };
                using (var ext = Signer.External("key-1", pub, counted))
                {
                    var uris = Enumerable.Range(0, 12).Select(i => i == 5 ? "/bad" : "videos/" + i + "/").ToList();
                    var results = ext.SignManyAsync(uris, Pinned, 3).GetAwaiter().GetResult();
                    Assert.That(results.Select(r => r.Ok), Is.EqualTo(uris.Select(u => u != "/bad")));
                    Assert.That(results.Where(r => r.Ok).Select(r => r.Token), Is.EqualTo(uris.Where(u => u != "/bad").Select(u => local.Sign(u, Pinned))));
                    Assert.That(results[5].Error, Is.InstanceOf<InvalidArgumentException>());
                    Assert.That(most, Is.InRange(1, 3), "at most `concurrency` signatures awaited at once");
                    using (var failing = Signer.External("key-1", pub, (input, ct) => { throw thrown; }))
                    {
                        var failed = failing.SignManyAsync(new[] { "a/", "b/" }).GetAwaiter().GetResult();
                        Assert.That(failed.All(r => r.Error is SignerFailedException && r.Error.InnerException == thrown), Is.True);
                    }
                    using (var cts = new CancellationTokenSource())
                    {
                        cts.Cancel();
                        Assert.That(() => ext.SignManyAsync(uris, Pinned, 3, cts.Token).GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
                    }
                    Assert.Throws<InvalidArgumentException>(() => ext.SignManyAsync(new[] { "a/", null }).GetAwaiter().GetResult());
                }
                // Other signers: SignMany on the thread pool.
                var batch = local.SignManyAsync(new[] { "a/", "/bad", "c/" }, Pinned).GetAwaiter().GetResult();
                Assert.That(batch.Select(r => r.Ok), Is.EqualTo(new[] { true, false, true }));
                Assert.That(batch[2].Token, Is.EqualTo(local.Sign("c/", Pinned)));

                // Every other signer signs at once.
                var done = local.SignAsync("videos/a/", Pinned);
                Assert.That(done.IsCompleted, Is.True);
                Assert.That(done.Result, Is.EqualTo(local.Sign("videos/a/", Pinned)));
                Assert.Throws<InvalidArgumentException>(() => local.SignAsync("/videos/a/").GetAwaiter().GetResult());
            }
        }
    }

    /// <summary>PKCS#11 against SoftHSM2: tests/suites/55-dotnet.sh makes the tokens in a SOFTHSM2_CONF of its own.</summary>
    [TestFixture]
    public class Pkcs11Tests
    {
        private const string Pin = "1234";
        private string module;

        [TestFixtureSetUp]
        public void Find()
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SOFTHSM2_CONF")))
                Assert.Fail("SOFTHSM2_CONF is not set: tests/suites/55-dotnet.sh makes the SoftHSM2 tokens of these tests");
            module = Environment.GetEnvironmentVariable("QCDN_SOFTHSM_MODULE");
            if (string.IsNullOrEmpty(module)) module = "/usr/lib/softhsm/libsofthsm2.so";
        }

        private static string Label(string keyFile)
        {
            if (keyFile.StartsWith("tests/keys/rsa2048.", StringComparison.Ordinal)) return "video-key";
            if (keyFile.StartsWith("tests/keys/rsa4096.", StringComparison.Ordinal)) return "video-key-4096";
            throw new InvalidOperationException("no SoftHSM2 key for " + keyFile);
        }

        [Test]
        public void SoftHsmSignsEveryGoldenVectorByteForByte()
        {
            int n = 0;
            foreach (var v in Golden.Vectors())
                using (var hsm = Signer.FromPkcs11(module, "qcdn-test", Label(v.KeyFile), Pin, v.Kid))
                {
                    Assert.That(hsm.IsExternal, Is.True);
                    Assert.That(hsm.KeyBits, Is.EqualTo(Label(v.KeyFile) == "video-key" ? 2048 : 4096));
                    Assert.That(hsm.Sign(v.Uri, v.Options), Is.EqualTo(v.Token), v.Name);
                    n++;
                }
            Assert.That(n, Is.GreaterThan(10));
        }

        [Test]
        public void AnHsmSignerSignsBatchesAndFromThreadsAsTheLocalKey()
        {
            using (var hsm = Signer.FromPkcs11(module, "qcdn-test", "video-key", Pin, "key-1"))
            using (var local = Signer.FromPem("key-1", Repo.Key2048))
            {
                var o = new SignOptions { Now = Repo.At(1700000000) };
                var uris = Enumerable.Range(0, 16).Select(i => "videos/" + i + "/").ToList();
                Assert.That(hsm.SignMany(uris, o, 4).Select(r => r.Token), Is.EqualTo(uris.Select(u => local.Sign(u, o))));
                var wrong = new List<string>();
                var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
                {
                    for (int i = 0; i < 5; i++)
                    {
                        var uri = "videos/" + t + "/" + i;
                        if (hsm.SignedLiveUrl(uri, o) != local.SignedLiveUrl(uri, o)) lock (wrong) wrong.Add(uri);
                    }
                })).ToList();
                threads.ForEach(th => th.Start());
                threads.ForEach(th => th.Join());
                Assert.That(wrong, Is.Empty);
                using (var cached = hsm.Cached(TimeSpan.FromMinutes(5)))
                {
                    Assert.That(cached.Sign("videos/a/"), Is.EqualTo(cached.Sign("videos/a/")));
                    Assert.That(cached.IsExternal && cached.CachedTokens == 1, Is.True);
                }
            }
        }

        [Test]
        public void AWrongPinOrAMissingModuleTokenOrKeyIsInvalidKeyWithoutThePin()
        {
            const string wrongPin = "wrong-pin-8c41f7";
            // A token this process never logged in to (PKCS#11 logs in once per token and process).
            var e = Assert.Throws<InvalidKeyException>(() => Signer.FromPkcs11(module, "locked", "k", wrongPin, "key-1"));
            Assert.That(e.Message, Is.Not.StringContaining(wrongPin));
            Assert.That(e.ToString(), Is.Not.StringContaining(wrongPin));
            Assert.That(e.Message.ToLowerInvariant(), Is.StringContaining("pin"));
            var missing = new Dictionary<string, Action>
            {
                { "module", () => Signer.FromPkcs11("/nonexistent/libno-such-module.so", "qcdn-test", "video-key", Pin, "key-1") },
                { "token", () => Signer.FromPkcs11(module, "no-such-token", "video-key", Pin, "key-1") },
                { "key", () => Signer.FromPkcs11(module, "qcdn-test", "no-such-key", Pin, "key-1") },
            };
            foreach (var m in missing)
            {
                var x = Assert.Throws<InvalidKeyException>(() => m.Value(), m.Key);
                Assert.That(x.Message, Is.Not.StringContaining(Pin), m.Key);
            }
            Assert.Throws<InvalidArgumentException>(() => Signer.FromPkcs11(module, "qcdn-test", "video-key", null, "key-1"));
        }
    }
}
