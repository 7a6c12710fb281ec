// Stream.Coverage (manifest text in, no HTTP) and Stream.Check / CheckAsync
// against the emulator process's live stream and storage folder with real
// media: the core decides every verdict, the package converts.
using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using Qencode.Cdn;
using Qencode.Cdn.Testing;

namespace Qencode.Cdn.Tests
{
    [TestFixture]
    public class StreamTests
    {
        private const string Master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=165000\nmedia_0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=66000\nmedia_1.m3u8\n";
        private const string Storage = "https://my-bucket.media-storage.us-west.qencode.com/videos/intro/";
        private Emulator emu;
        private Signer streamSigner;
        private Signer bucketSigner;
        private string liveUrl;
        private string connect;

        [TestFixtureSetUp]
        public void Start()
        {
            EmulatorBinary.Require();
            emu = Emulator.Start();
            emu.AddMediaStream("stream-cs", "pid-cs");
            emu.AddMediaFolder("demo-bucket", "videos/intro/");
            using (var client = emu.CreateClient())
            {
                // The custom domain of the storage folder, as a user adds it.
                client.CreateDomain("media.example.com", DomainType.Storage);
                emu.MapStorageDomain("media.example.com", "demo-bucket");
                client.SetBucketPolicy("demo-bucket", BucketPolicy.Authenticated);
                streamSigner = client.CreateSigningKey(SigningKeyTarget.Stream, "stream-cs").CreateSigner();
                bucketSigner = client.CreateSigningKey(SigningKeyTarget.Bucket, "demo-bucket").CreateSigner();
            }
            // The emulator's plain port: the same URL over http.
            liveUrl = "http://" + streamSigner.SignedLiveUrl("pid-cs").Substring("https://".Length);
            connect = "127.0.0.1:" + emu.Port;
        }

        [TestFixtureTearDown]
        public void Stop()
        {
            if (streamSigner != null) streamSigner.Dispose();
            if (bucketSigner != null) bucketSigner.Dispose();
            if (emu != null) emu.Dispose();
        }

        private static Signer LocalSigner() { return Signer.FromFile("key-1", Repo.File("tests/keys/rsa2048.pkcs1.pem")); }

        private static List<Dictionary<string, object>> Requests(IReadOnlyDictionary<string, object> report)
        {
            return ((List<object>)report["requests"]).Cast<Dictionary<string, object>>().ToList();
        }

        private static List<object> Findings(IReadOnlyDictionary<string, object> report) { return (List<object>)report["findings"]; }

        [Test]
        public void CoverageOfAMasterPlaylistWithTheTokenInItsQuery()
        {
            string token;
            using (var s = LocalSigner()) token = s.Sign("videos/intro/");
            var report = Stream.Coverage(Storage + "master.m3u8?auth=" + token, Master);
            Assert.That(report["ok"], Is.False);
            Assert.That(report["fetched"], Is.False);
            Assert.That(report["format"], Is.EqualTo("hls_master"));
            Assert.That(Findings(report), Is.EqualTo(new[] { "query_token_not_propagated" }));
            Assert.That(Requests(report).Select(r => r["kind"] + " " + r["covered"] + " " + (r["status"] ?? "null")),
                Is.EqualTo(new[] { "master_playlist True null", "media_playlist False null", "media_playlist False null" }));
            Assert.That(Requests(report)[1]["url"], Is.EqualTo(Storage + "media_0.m3u8"));
            Assert.That(((Dictionary<string, object>)report["advice"]).ContainsKey("query_token_not_propagated"), Is.True);
        }

        [Test]
        public void CoverageWithTheFolderCookie()
        {
            string cookie;
            using (var s = LocalSigner()) cookie = s.SignedCookie("videos/intro/", null, new CookieOptions { Domain = "example.com" });
            var report = Stream.Coverage("https://media.example.com/videos/intro/master.m3u8", Master,
                new Dictionary<string, object> { { "cookie", cookie } });
            Assert.That(report["ok"], Is.True, JsonMatch.Show(report["findings"]));
            foreach (var r in Requests(report))
            {
                Assert.That(r["carrier"], Is.EqualTo("cookie"));
                Assert.That(r["covered"], Is.True);
            }
        }

        [Test]
        public void CoverageOptionsAreTheCores()
        {
            var url = Storage + "master.m3u8";
            Assert.That(Stream.Coverage(url, Master, new Dictionary<string, object> { { "segments", 2 }, { "stream", "storage" }, { "now", 1700000000L } })["stream"],
                Is.EqualTo("storage"));
            var e = Assert.Throws<InvalidArgumentException>(() => Stream.Coverage(url, Master, new Dictionary<string, object> { { "segments", 0 } }));
            Assert.That(e.Code, Is.EqualTo(ErrorCode.InvalidArgument));
            Assert.That(e.Message, Is.StringContaining("segments"));
            e = Assert.Throws<InvalidArgumentException>(() => Stream.Coverage(url, Master, new Dictionary<string, object> { { "stream", "vod" } }));
            Assert.That(e.Message, Is.StringContaining("stream"));
            e = Assert.Throws<InvalidArgumentException>(() => Stream.Coverage(url, Master, new Dictionary<string, object> { { "segment", 2 } }));
            Assert.That(e.Message, Is.StringContaining("segment"));
            Assert.Throws<InvalidArgumentException>(() => Stream.Coverage(url, "<html></html>"));
            Assert.Throws<InvalidArgumentException>(() => Stream.Coverage(null, Master));
        }

        [Test]
        public void CheckOfALiveStreamWithTheQueryToken()
        {
            var plain = Stream.Check(liveUrl, new Dictionary<string, object> { { "connect_to", connect }, { "segments", 1 }, { "timeout", 10 } });
            Assert.That(plain["ok"], Is.False);
            Assert.That(plain["fetched"], Is.True);
            Assert.That(Findings(plain), Is.EqualTo(new[] { "query_token_not_propagated" }));
            var statuses = Requests(plain).Select(r => r["status"]).ToList();
            Assert.That(statuses[0], Is.EqualTo(200L));
            Assert.That(statuses.Skip(1).Distinct(), Is.EqualTo(new object[] { 403L }));

            // The request modifier of docs/streaming.md, through CheckAsync: every request carries the token.
            var fixedReport = Stream.CheckAsync(liveUrl, new Dictionary<string, object> { { "connect_to", connect }, { "segments", 1 }, { "propagate_token", true } })
                .GetAwaiter().GetResult();
            Assert.That(fixedReport["ok"], Is.True, JsonMatch.Show(fixedReport["findings"]));
            Assert.That(Requests(fixedReport).Select(r => r["status"]).Distinct(), Is.EqualTo(new object[] { 200L }));
            Assert.That(Requests(fixedReport).Count(r => (string)r["kind"] == "media_segment"), Is.EqualTo(2));
        }

        [Test]
        public void CheckOfALiveStreamWithATokenForAnotherStream()
        {
            var wrong = streamSigner.SignUrl(liveUrl, "another-playback-id");
            var report = Stream.Check(wrong, new Dictionary<string, object> { { "connect_to", connect }, { "segments", 1 }, { "propagate_token", true } });
            Assert.That(report["ok"], Is.False);
            Assert.That(Findings(report), Is.EqualTo(new[] { "token_wrong_stream" }));
            Assert.That(Requests(report)[0]["status"], Is.EqualTo(403L));
        }

        [Test]
        public void CheckOfAStorageFolderWithTheSignedCookie()
        {
            foreach (var manifest in new[] { "master.m3u8", "manifest.mpd" })
            {
                var url = "http://media.example.com/videos/intro/" + manifest;
                var cookie = bucketSigner.SignedCookie("videos/intro/", null, new CookieOptions { Domain = "example.com", Secure = false });
                var ok = Stream.Check(url, new Dictionary<string, object> { { "cookie", cookie }, { "connect_to", connect }, { "segments", 1 } });
                Assert.That(ok["ok"], Is.True, JsonMatch.Show(ok["findings"]));
                Assert.That(Requests(ok).Select(r => r["status"]).Distinct(), Is.EqualTo(new object[] { 200L }));
                Assert.That(Requests(ok).Select(r => r["carrier"]).Distinct(), Is.EqualTo(new object[] { "cookie" }));

                // A cookie for the one manifest file (its own path): the other requests go without it.
                var single = bucketSigner.SignedCookie("videos/intro/" + manifest, null,
                    new CookieOptions { Domain = "example.com", Secure = false, Path = "/videos/intro/" + manifest });
                var bad = Stream.Check(url, new Dictionary<string, object> { { "cookie", single }, { "connect_to", connect }, { "segments", 1 } });
                Assert.That(bad["ok"], Is.False);
                Assert.That(Findings(bad), Is.EqualTo(new[] { "cookie_single_file" }));
                var statuses = Requests(bad).Select(r => r["status"]).ToList();
                Assert.That(statuses[0], Is.EqualTo(200L));
                Assert.That(statuses.Skip(1).Distinct(), Is.EqualTo(new object[] { 403L }));
            }
        }

        [Test]
        public void CheckErrors()
        {
            Assert.Throws<TransportException>(() => Stream.Check(liveUrl, new Dictionary<string, object> { { "connect_to", "127.0.0.1:1" }, { "timeout", 5 } }));
            var e = Assert.Throws<InvalidArgumentException>(() => Stream.Check(liveUrl, new Dictionary<string, object> { { "timeout", 0 } }));
            Assert.That(e.Message, Is.StringContaining("timeout"));
            Assert.Throws<InvalidArgumentException>(() => Stream.Check(liveUrl, new Dictionary<string, object> { { "connect", "x" } }));
            Assert.Throws<InvalidArgumentException>(() => Stream.Check("not a url"));
            // The async twin raises the same exception when awaited.
            Assert.Throws<InvalidArgumentException>(() => Stream.CheckAsync("not a url").GetAwaiter().GetResult());
        }
    }
}
