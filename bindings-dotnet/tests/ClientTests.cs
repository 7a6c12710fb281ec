// Every client method, sync and async, against the emulator process; every
// error code the client can produce; 8 threads on one client; cancellation
// before the call starts; no API key or private key in any message or ToString.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using Qencode.Cdn;
using Qencode.Cdn.Testing;

namespace Qencode.Cdn.Tests
{
    [TestFixture]
    public class ClientTests
    {
        private const string ApiKey = "dotnet-secret-api-key-5f1c";
        private Emulator emu;

        [TestFixtureSetUp] public void Start() { EmulatorBinary.Require(); emu = Emulator.Start(new[] { ApiKey }); }
        [TestFixtureTearDown] public void Stop() { if (emu != null) emu.Dispose(); }
        [SetUp] public void Reset() { emu.Reset(); }

        private static T Await<T>(Task<T> t) { return t.GetAwaiter().GetResult(); }
        private static void Await(Task t) { t.GetAwaiter().GetResult(); }

        [Test]
        public void EveryMethodSyncAndAsync()
        {
            Assert.That(emu.ApiKey, Is.EqualTo(ApiKey));
            using (var c = emu.CreateClient())
            {
                // domains
                var live = c.CreateDomain("live.example.com", DomainType.Live);
                Assert.That(live.DomainName, Is.EqualTo("live.example.com"));
                Assert.That(live.Type, Is.EqualTo("live"));
                Assert.That(live.Id, Is.Not.Null.And.Not.Empty);
                Assert.That(live.Created, Is.Not.Null);
                var storage = Await(c.CreateDomainAsync("media.example.com", DomainType.Storage));
                Assert.That(storage.Type, Is.EqualTo("storage"));
                Assert.That(c.GetDomain(live.Id).DomainName, Is.EqualTo("live.example.com"));
                Assert.That(Await(c.GetDomainAsync(storage.Id)).Id, Is.EqualTo(storage.Id));
                Assert.That(c.ListDomains().Select(d => d.Id), Is.EquivalentTo(new[] { live.Id, storage.Id }));
                Assert.That(c.ListDomains(DomainType.Live).Select(d => d.Id), Is.EqualTo(new[] { live.Id }));
                Assert.That(Await(c.ListDomainsAsync(DomainType.Storage)).Select(d => d.Id), Is.EqualTo(new[] { storage.Id }));
                Assert.That(live.ToDictionary()["domain_name"], Is.EqualTo("live.example.com"));

                // TLS subscriptions
                var tls = c.CreateTlsSubscription(live.Id);
                Assert.That(tls.DomainId, Is.EqualTo(live.Id));
                Assert.That(tls.Status, Is.Not.Null);
                var tls2 = Await(c.CreateTlsSubscriptionAsync(storage.Id));
                Assert.That(c.GetTlsSubscription(tls.Id).Id, Is.EqualTo(tls.Id));
                Assert.That(Await(c.GetTlsSubscriptionAsync(tls2.Id)).DomainId, Is.EqualTo(storage.Id));
                Assert.That(c.ListTlsSubscriptions().Count, Is.EqualTo(2));
                Assert.That(Await(c.ListTlsSubscriptionsAsync()).Count, Is.EqualTo(2));
                c.DeleteTlsSubscription(tls.Id);
                Await(c.DeleteTlsSubscriptionAsync(tls2.Id));
                Assert.That(c.ListTlsSubscriptions(), Is.Empty);

                // signing keys
                emu.AddStream("stream-1", "abc123");
                var k1 = c.CreateSigningKey(SigningKeyTarget.Stream, "stream-1");
                Assert.That(k1.StreamId, Is.EqualTo("stream-1"));
                Assert.That(k1.PrivateKey, Is.StringStarting("-----BEGIN"));
                var k2 = Await(c.CreateSigningKeyAsync(SigningKeyTarget.Domain, live.Id));
                Assert.That(k2.DomainId, Is.EqualTo(live.Id));
                var k3 = c.CreateSigningKey(SigningKeyTarget.Bucket, "my-bucket");
                Assert.That(k3.BucketName, Is.EqualTo("my-bucket"));
                Assert.That(c.GetSigningKey(k1.Id).StreamId, Is.EqualTo("stream-1"));
                Assert.That(c.GetSigningKey(k1.Id).ToDictionary().ContainsKey("private_key"), Is.False);
                Assert.That(Await(c.GetSigningKeyAsync(k2.Id)).Id, Is.EqualTo(k2.Id));
                Assert.That(c.ListSigningKeys().Count, Is.EqualTo(3));
                Assert.That(Await(c.ListSigningKeysAsync()).Count, Is.EqualTo(3));
                Assert.That(c.RenameSigningKey(k1.Id, "first").Name, Is.EqualTo("first"));
                Assert.That(Await(c.RenameSigningKeyAsync(k2.Id, "second")).Name, Is.EqualTo("second"));
                using (var s = k1.CreateSigner())
                    Assert.That(emu.Fetch(s.SignedLiveUrl("abc123")).Status, Is.EqualTo(200), "a key the API created signs URLs the edge serves");
                c.DeleteSigningKey(k1.Id);
                Await(c.DeleteSigningKeyAsync(k2.Id));
                Assert.That(c.ListSigningKeys().Select(k => k.Id), Is.EqualTo(new[] { k3.Id }));

                // buckets
                c.SetBucketPolicy("my-bucket", BucketPolicy.Authenticated);
                Await(c.SetBucketPolicyAsync("my-bucket", BucketPolicy.Public));
                c.SetBucketCors("my-bucket", new Dictionary<string, string> { { "Access-Control-Allow-Origin", "*" } });
                Await(c.SetBucketCorsAsync("my-bucket", new Dictionary<string, string> { { "Access-Control-Max-Age", "600" } }));
                var cors = c.GetBucketCors("my-bucket");
                Assert.That(cors["Access-Control-Allow-Origin"], Is.EqualTo("*"));
                Assert.That(Await(c.GetBucketCorsAsync("my-bucket"))["Access-Control-Max-Age"], Is.EqualTo("600"));
                c.DeleteBucketCorsHeader("my-bucket", "Access-Control-Max-Age");
                Assert.That(c.GetBucketCors("my-bucket").Keys, Is.EqualTo(new[] { "Access-Control-Allow-Origin" }));
                Await(c.DeleteBucketCorsHeaderAsync("my-bucket", "Access-Control-Allow-Origin"));
                c.SetBucketCors("my-bucket", new Dictionary<string, string> { { "Access-Control-Allow-Origin", "*" } });
                c.DeleteBucketCors("my-bucket");
                Await(c.DeleteBucketCorsAsync("my-bucket"));
                Assert.That(c.GetBucketCors("my-bucket"), Is.Empty);
                c.PurgeBucketCache("my-bucket");
                Await(c.PurgeBucketCacheAsync("my-bucket"));
                c.PurgeObjectCache("my-bucket", "videos/a.mp4");
                Await(c.PurgeObjectCacheAsync("my-bucket", "videos/a.mp4"));

                c.DeleteDomain(live.Id);
                Await(c.DeleteDomainAsync(storage.Id));
                Assert.That(c.ListDomains(), Is.Empty);
            }
        }

        [Test]
        public void AStorageKeyFromTheApiSignsWhatTheEdgeServes()
        {
            using (var c = emu.CreateClient())
            {
                var key = c.CreateSigningKey(SigningKeyTarget.Bucket, "my-bucket");
                c.SetBucketPolicy("my-bucket", BucketPolicy.Authenticated);
                emu.AddObject("my-bucket", "videos/a/intro.mp4", "hello");
                using (var s = key.CreateSigner())
                {
                    var ok = emu.Fetch(s.SignedStorageUrl("my-bucket", "us-west", "videos/a/intro.mp4"));
                    Assert.That(ok.Status, Is.EqualTo(200), ok.Reason);
                    Assert.That(System.Text.Encoding.UTF8.GetString(ok.Body), Is.EqualTo("hello"));
                    var other = emu.Fetch(s.SignedStorageUrl("my-bucket", "us-west", "videos/b.mp4").Replace("videos/b.mp4", "videos/a/intro.mp4"));
                    Assert.That(other.Status, Is.EqualTo(403));
                    Assert.That(other.Reason, Is.StringStarting("URI_MISMATCH"));
                    var cookie = s.SignedCookieFields("videos/a/");
                    Assert.That(emu.Fetch(Urls.StorageUrl("my-bucket", "us-west", "videos/a/intro.mp4"), cookie.Value).Status, Is.EqualTo(200));
                }
            }
        }

        private static E Fails<E>(Action call) where E : Exception
        {
            var e = Assert.Throws<E>(() => call());
            Assert.That(e.Message, Is.Not.StringContaining(ApiKey));
            Assert.That(e.ToString(), Is.Not.StringContaining(ApiKey));
            return e;
        }

        [Test]
        public void EveryErrorCodeOfTheClient()
        {
            using (var c = emu.CreateClient(new ClientOptions { MaxRetries = 0 }))
            {
                // INVALID_ARGUMENT, before any I/O
                var ia = Fails<InvalidArgumentException>(() => c.CreateDomain("not a domain", DomainType.Live));
                Assert.That(ia.Status, Is.Null);
                Fails<InvalidArgumentException>(() => c.CreateDomain("a.example.com", (DomainType)9));
                Fails<InvalidArgumentException>(() => c.CreateSigningKey((SigningKeyTarget)9, "x"));
                Fails<InvalidArgumentException>(() => c.SetBucketPolicy("my-bucket", (BucketPolicy)9));
                Fails<InvalidArgumentException>(() => emu.CreateClient(new ClientOptions { MaxRetries = -1 }));
                Fails<InvalidArgumentException>(() => emu.CreateClient(new ClientOptions { Timeout = TimeSpan.Zero }));
                Fails<InvalidArgumentException>(() => new Client(null));
                Fails<InvalidArgumentException>(() => new Client(""));

                // NOT_FOUND
                var nf = Fails<NotFoundException>(() => c.GetDomain("no-such-domain"));
                Assert.That(nf.Status, Is.EqualTo(404));
                Assert.That(nf.Code, Is.EqualTo(ErrorCode.NotFound));
                Assert.That(nf, Is.InstanceOf<ApiException>());

                // API_ERROR with status and body
                c.CreateDomain("dup.example.com", DomainType.Live);
                var api = Fails<ApiException>(() => c.CreateDomain("dup.example.com", DomainType.Live));
                Assert.That(api.Code, Is.EqualTo(ErrorCode.ApiError));
                Assert.That(api.Status, Is.EqualTo(409));
                emu.InjectFault("GET /v1/buckets/*/cors", FaultKinds.Status, status: 500);
                Assert.That(Fails<ApiException>(() => c.GetBucketCors("my-bucket")).Status, Is.EqualTo(500));

                // RATE_LIMITED with Retry-After
                emu.InjectFault("GET /v1/domains", FaultKinds.Status, status: 429, retryAfter: TimeSpan.FromSeconds(7));
                var rl = Fails<RateLimitedException>(() => c.ListDomains());
                Assert.That(rl.Status, Is.EqualTo(429));
                Assert.That(rl.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));

                // DECODE
                emu.InjectFault("GET /v1/domains", FaultKinds.NotJson);
                Assert.That(Fails<DecodeException>(() => c.ListDomains()).Status, Is.Null);

                // TRANSPORT
                emu.InjectFault("GET /v1/domains", FaultKinds.Drop, times: 5);
                Fails<TransportException>(() => c.ListDomains());
                emu.Reset();
                using (var nowhere = new Client(ApiKey, new ClientOptions { ApiUrl = "http://127.0.0.1:1", AuthUrl = "http://127.0.0.1:1", MaxRetries = 0 }))
                    Fails<TransportException>(() => nowhere.ListDomains());

                // TIMEOUT
                emu.InjectFault("GET /v1/domains", FaultKinds.Delay, delay: TimeSpan.FromSeconds(3));
                using (var quick = emu.CreateClient(new ClientOptions { Timeout = TimeSpan.FromMilliseconds(500), MaxRetries = 0 }))
                    Assert.That(Fails<QencodeTimeoutException>(() => quick.ListDomains()).Code, Is.EqualTo(ErrorCode.Timeout));

                // UNAUTHORIZED: a key the API does not know
                using (var wrong = emu.CreateClient(apiKey: "wrong-" + ApiKey))
                {
                    var un = Fails<UnauthorizedException>(() => wrong.ListDomains());
                    Assert.That(un.Status, Is.EqualTo(401).Or.EqualTo(403));
                    Assert.That(un.Message, Is.Not.StringContaining("wrong-"));
                }
                // a bad fault is refused by the emulator's own parser
                Assert.Throws<InvalidArgumentException>(() => emu.InjectFault("*", "boom"));
                Assert.Throws<InvalidArgumentException>(() => emu.InjectFault("*", FaultKinds.Status, status: 99));
            }
        }

        [Test]
        public void AsyncFailuresSurfaceAsTheSameExceptions()
        {
            using (var c = emu.CreateClient())
            {
                var nf = Assert.Throws<NotFoundException>(() => Await(c.GetDomainAsync("nope")));
                Assert.That(nf.Status, Is.EqualTo(404));
            }
        }

        [Test]
        public void ACancelledTokenStopsTheCallBeforeItStarts()
        {
            using (var c = emu.CreateClient())
            using (var cts = new CancellationTokenSource())
            {
                cts.Cancel();
                var before = Count("POST /v1/domains");
                var t = c.CreateDomainAsync("cancelled.example.com", DomainType.Live, cts.Token);
                Assert.Catch<OperationCanceledException>(() => Await(t));
                Assert.That(t.IsCanceled, Is.True);
                Assert.Catch<OperationCanceledException>(() => Await(c.DeleteDomainAsync("x", cts.Token)));
                Assert.That(Count("POST /v1/domains"), Is.EqualTo(before), "no request was sent");
                Assert.That(c.ListDomains(), Is.Empty);
            }
        }

        private long Count(string route)
        {
            object requests, n;
            var counters = emu.Counters();
            if (!counters.TryGetValue("requests", out requests)) return 0;
            return ((Dictionary<string, object>)requests).TryGetValue(route, out n) ? (long)n : 0;
        }

        [Test]
        public void EightThreadsShareOneClient()
        {
            using (var c = emu.CreateClient())
            {
                var errors = new List<Exception>();
                var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
                {
                    try
                    {
                        for (int i = 0; i < 2; i++)
                        {
                            var d = c.CreateDomain("t" + t + "-" + i + ".example.com", i % 2 == 0 ? DomainType.Live : DomainType.Storage);
                            if (c.GetDomain(d.Id).Id != d.Id) throw new Exception("wrong domain");
                            c.ListDomains();
                            try { c.GetDomain("missing-" + t); throw new Exception("no error"); }
                            catch (NotFoundException e) { if (!e.Message.Contains("missing-" + t)) throw; }
                        }
                    }
                    catch (Exception e) { lock (errors) errors.Add(e); }
                })).ToList();
                threads.ForEach(x => x.Start());
                threads.ForEach(x => x.Join());
                Assert.That(errors, Is.Empty, string.Join("\n", errors));
                Assert.That(c.ListDomains().Count, Is.EqualTo(16));
                object tokenRequests;
                Assert.That(emu.Counters().TryGetValue("token_requests", out tokenRequests) ? (long)tokenRequests : -1, Is.EqualTo(1), "one access token shared by every thread");
            }
        }

        [Test]
        public void NoSecretInToStringOrMessages()
        {
            using (var c = emu.CreateClient())
            {
                Assert.That(c.ToString(), Is.Not.StringContaining(ApiKey));
                Assert.That(c.ToString(), Is.StringContaining(emu.Url));
                var key = c.CreateSigningKey(SigningKeyTarget.Bucket, "my-bucket");
                var body = key.PrivateKey.Split('\n')[3];
                Assert.That(key.ToString(), Is.Not.StringContaining(body));
                Assert.That(key.ToString(), Is.StringContaining("<redacted>"));
                using (var s = key.CreateSigner())
                {
                    Assert.That(s.ToString(), Is.Not.StringContaining(body));
                    var e = Assert.Throws<InvalidArgumentException>(() => s.Sign("x", new SignOptions { ExpiresIn = null }));
                    Assert.That(e.ToString(), Is.Not.StringContaining(body));
                }
                Assert.That(emu.ToString(), Is.Not.StringContaining(ApiKey));
            }
            var prev = Environment.GetEnvironmentVariable("QENCODE_API_KEY");
            try
            {
                Environment.SetEnvironmentVariable("QENCODE_API_KEY", "  ");
                var e = Assert.Throws<InvalidArgumentException>(() => Client.FromEnv());
                Assert.That(e.Message, Is.StringContaining("QENCODE_API_KEY"));
                Environment.SetEnvironmentVariable("QENCODE_API_KEY", ApiKey);
                using (var c = Client.FromEnv(new ClientOptions { ApiUrl = emu.Url, AuthUrl = emu.Url }))
                    Assert.That(c.ListDomains(), Is.Empty);
            }
            finally { Environment.SetEnvironmentVariable("QENCODE_API_KEY", prev); }
        }
    }
}
