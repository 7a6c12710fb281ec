using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using NUnit.Framework;
using Qencode.Cdn;

namespace Qencode.Cdn.Tests
{
    [TestFixture]
    public class SignerTests
    {
        private Signer signer;
        private static readonly DateTimeOffset Now = Repo.At(1700000000);

        [TestFixtureSetUp] public void Load() { signer = Signer.FromPem(Repo.Kid, Repo.Key2048); }
        [TestFixtureTearDown] public void Free() { signer.Dispose(); }

        private static Dictionary<string, object> Claims(string token) { return Tokens.DecodeUnverified(token).Claims.ToDictionary(kv => kv.Key, kv => kv.Value); }

        [Test]
        public void UnsetOptionsGiveTheOneHourDefault()
        {
            var c = Claims(signer.Sign("videos/a/", new SignOptions { Now = Now }));
            Assert.That(c["exp"], Is.EqualTo(1700003600L));
            Assert.That(c.ContainsKey("nbf"), Is.False);
            Assert.That(Claims(signer.Sign("videos/a/"))["exp"], Is.GreaterThan(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        }

        [Test]
        public void ALifetimeSetToNullIsAnArgumentErrorNeverForever()
        {
            var e = Assert.Throws<InvalidArgumentException>(() => signer.Sign("x", new SignOptions { ExpiresIn = null }));
            Assert.That(e, Is.InstanceOf<ArgumentException>());
            Assert.That(e.Code, Is.EqualTo(ErrorCode.InvalidArgument));
            Assert.That(e.IsTypeError, Is.True);
            Assert.That(e.Message, Is.StringContaining("never_expires"));
            e = Assert.Throws<InvalidArgumentException>(() => signer.Sign("x", new SignOptions { ExpiresAt = null }));
            Assert.That(e.IsTypeError, Is.True);
            Assert.Catch<ArgumentException>(() => signer.SignedLiveUrl("abc", new SignOptions { ExpiresIn = null }));
            Assert.Catch<ArgumentException>(() => signer.SignedCookie("videos/a/", new SignOptions { ExpiresAt = null }));
        }

        [Test]
        public void NeverExpiresIsTheOnlyWayToNoExp()
        {
            var c = Claims(signer.Sign("forever", new SignOptions { NeverExpires = true, Now = Now }));
            Assert.That(c.ContainsKey("exp"), Is.False);
            Assert.That(Claims(signer.Sign("x", new SignOptions { NeverExpires = false, Now = Now }))["exp"], Is.EqualTo(1700003600L));
            Assert.Throws<InvalidArgumentException>(() => signer.Sign("x", new SignOptions { NeverExpires = true, ExpiresIn = TimeSpan.FromMinutes(1) }));
            Assert.Throws<InvalidArgumentException>(() => signer.Sign("x", new SignOptions { ExpiresIn = TimeSpan.Zero }));
        }

        [Test]
        public void NullNotBeforeAndNullClaimsMeanNone()
        {
            var c = Claims(signer.Sign("x", new SignOptions { NotBefore = null, Claims = null, Now = Now }));
            Assert.That(c.Keys, Is.EquivalentTo(new[] { "uri", "exp" }));
        }

        [Test]
        public void TimeSpansAndDatesBecomeWholeSeconds()
        {
            var c = Claims(signer.Sign("x", new SignOptions { ExpiresIn = TimeSpan.FromMinutes(10), NotBefore = Now.AddMilliseconds(999), Now = Now }));
            Assert.That(c["exp"], Is.EqualTo(1700000600L));
            Assert.That(c["nbf"], Is.EqualTo(1700000000L), "a DateTimeOffset is rounded down to its second");
            c = Claims(signer.Sign("x", new SignOptions { ExpiresAt = Repo.At(1700086400).AddMilliseconds(500), Now = Now }));
            Assert.That(c["exp"], Is.EqualTo(1700086400L));
            var e = Assert.Throws<InvalidArgumentException>(() => signer.Sign("x", new SignOptions { ExpiresIn = TimeSpan.FromMilliseconds(1500), Now = Now }));
            Assert.That(e.Message, Is.StringContaining("1.5"), "the core refuses a fraction, the binding does not round it");
            Assert.Throws<InvalidArgumentException>(() => signer.Sign("x", new SignOptions { ExpiresIn = TimeSpan.FromSeconds(-1), Now = Now }));
        }

        [Test]
        public void ClaimsOfEveryKindReachTheToken()
        {
            var claims = new Dictionary<string, object>
            {
                { "s", "text" }, { "i", 42 }, { "l", 9007199254740991L }, { "d", 0.25 }, { "whole", 2.0 }, { "t", true }, { "n", null },
                { "list", new List<object> { 1, "x", null } }, { "arr", new[] { "US", "CA" } },
                { "o", new Dictionary<string, object> { { "nested", new Dictionary<string, object> { { "deep", new List<object> { true } } } } } },
            };
            var c = Claims(signer.Sign("videos/", new SignOptions { Claims = claims, Now = Now }));
            Assert.That(c["s"], Is.EqualTo("text"));
            Assert.That(c["i"], Is.EqualTo(42L));
            Assert.That(c["l"], Is.EqualTo(9007199254740991L));
            Assert.That(c["d"], Is.EqualTo(0.25));
            Assert.That(c["whole"], Is.EqualTo(2.0).And.InstanceOf<double>(), "a whole double stays a JSON float");
            Assert.That(c["n"], Is.Null);
            Assert.That(JsonMatch.Show(c["list"]), Is.EqualTo("[1,\"x\",null]"));
            Assert.That(JsonMatch.Show(c["arr"]), Is.EqualTo("[\"US\",\"CA\"]"));
            Assert.That(JsonMatch.Show(c["o"]), Is.EqualTo("{\"nested\":{\"deep\":[true]}}"));
            IDictionary<string, object> expando = new System.Dynamic.ExpandoObject();
            expando["viewer"] = "u-42";
            expando["tags"] = new Dictionary<string, string> { { "a", "b" } };
            var e = Claims(signer.Sign("videos/", new SignOptions { Claims = expando, Now = Now }));
            Assert.That(e["viewer"], Is.EqualTo("u-42"));
            Assert.That(JsonMatch.Show(e["tags"]), Is.EqualTo("{\"a\":\"b\"}"));
            Assert.Throws<InvalidArgumentException>(() => signer.Sign("x", new SignOptions { Claims = new Dictionary<string, object> { { "uri", "other" } } }));
            Assert.Throws<InvalidArgumentException>(() => signer.Sign("x", new SignOptions { Claims = new Dictionary<string, object> { { "nan", double.NaN } } }));
            Assert.Throws<InvalidArgumentException>(() => signer.Sign("x", new SignOptions { Claims = new Dictionary<string, object> { { "obj", new object() } } }));
        }

        [Test]
        public void StringsACStringCannotCarryAreRefusedNeverTruncated()
        {
            var e = Assert.Throws<InvalidArgumentException>(() => signer.Sign("videos/a\0/b"));
            Assert.That(e.Message, Is.StringContaining("NUL"));
            e = Assert.Throws<InvalidArgumentException>(() => signer.Sign("videos/\ud800x"));
            Assert.That(e.Message, Is.StringContaining("surrogate"));
            Assert.Throws<InvalidArgumentException>(() => Urls.StorageUrl("my-bucket", "us-west", "a\0b"));
            Assert.That(Claims(signer.Sign("vidéos/日本語/👍", new SignOptions { Now = Now }))["uri"], Is.EqualTo("vidéos/日本語/👍"));
        }

        [Test]
        public void NullArgumentsAreArgumentErrorsFromTheCore()
        {
            Assert.Catch<ArgumentException>(() => signer.Sign(null));
            Assert.Catch<ArgumentException>(() => Signer.FromPem(null, Repo.Key2048));
            Assert.Catch<ArgumentException>(() => Signer.FromPem(Repo.Kid, null));
            Assert.Catch<ArgumentException>(() => Urls.LivePlaybackUrl(null));
            Assert.Catch<ArgumentException>(() => Verifier.FromSigner(null));
        }

        [Test]
        public void KeysLoadFromEveryFormAndBadOnesSayWhyWithoutTheKey()
        {
            using (var a = Signer.FromKey("k", Repo.Bytes("tests/keys/rsa2048.pkcs1.der")))
            using (var b = Signer.FromFile("k", Repo.File("tests/keys/rsa2048.pkcs8.pem")))
            using (var c = Signer.FromPem("k", Repo.Key2048.Replace("\n", "\\n")))
            {
                Assert.That(a.PublicKeyPem(), Is.EqualTo(b.PublicKeyPem()));
                Assert.That(c.PublicKeyPem(), Is.EqualTo(Repo.Spki2048));
                Assert.That(a.KeyBits, Is.EqualTo(2048));
                Assert.That(((Dictionary<string, object>)Json.Parse(a.PublicKeyJwk()))["kid"], Is.EqualTo("k"));
            }
            var pem = Repo.Key2048;
            var body = pem.Split('\n')[5];
            var broken = pem.Replace(body, body.Substring(0, 10) + "!!!!" + body.Substring(14));
            var e = Assert.Throws<InvalidKeyException>(() => Signer.FromPem("k", broken));
            Assert.That(e.Code, Is.EqualTo(ErrorCode.InvalidKey));
            Assert.That(e.Message, Is.Not.StringContaining(body.Substring(20, 30)));
            Assert.That(e.ToString(), Is.Not.StringContaining(body.Substring(20, 30)));
            Assert.Throws<InvalidKeyException>(() => Signer.FromPem("k", Repo.Text("tests/keys/ec-p256.pkcs8.pem")));
            var f = Assert.Throws<InvalidArgumentException>(() => Signer.FromFile("k", "/nonexistent/key.pem"));
            Assert.That(f.Message, Is.StringContaining("/nonexistent/key.pem"));
        }

        [Test]
        public void FromEnvNamesAMissingVariableAndReadsTheKey()
        {
            var old = Environment.GetEnvironmentVariable("QENCODE_SIGNING_KEY");
            var oldId = Environment.GetEnvironmentVariable("QENCODE_SIGNING_KEY_ID");
            try
            {
                Environment.SetEnvironmentVariable("QENCODE_SIGNING_KEY", null);
                var e = Assert.Throws<InvalidArgumentException>(() => Signer.FromEnv("k"));
                Assert.That(e.Message, Is.StringContaining("QENCODE_SIGNING_KEY"));
                Environment.SetEnvironmentVariable("QENCODE_SIGNING_KEY", Repo.Key2048.Replace("\n", " "));
                Environment.SetEnvironmentVariable("QENCODE_SIGNING_KEY_ID", "env-kid");
                using (var s = Signer.FromEnv()) Assert.That(s.KeyId, Is.EqualTo("env-kid"));
                using (var s = Signer.FromEnv("given")) Assert.That(s.KeyId, Is.EqualTo("given"));
                Environment.SetEnvironmentVariable("QENCODE_SIGNING_KEY", "not a key at all");
                e = null;
                var k = Assert.Throws<InvalidKeyException>(() => Signer.FromEnv("k"));
                Assert.That(k.Message, Is.Not.StringContaining("not a key at all"));
            }
            finally
            {
                Environment.SetEnvironmentVariable("QENCODE_SIGNING_KEY", old);
                Environment.SetEnvironmentVariable("QENCODE_SIGNING_KEY_ID", oldId);
            }
        }

        [Test]
        public void SignedUrlsOfEveryFormVerifyAndExplain()
        {
            var o = new SignOptions { Now = Now };
            using (var v = Verifier.FromSigner(signer))
            {
                var at = new VerifyOptions { Now = Now };
                foreach (var url in new[]
                {
                    signer.SignedLiveUrl("abc123", o), signer.SignedLiveCustomDomainUrl("live.example.com", "abc123", o),
                    signer.SignedStorageUrl("my-bucket", "us-west", "videos/a.mp4", o), signer.SignedStorageCustomDomainUrl("media.example.com", "videos/a.mp4", o),
                    signer.SignUrl("https://media.example.com/videos/a.mp4?x=1", "videos/a.mp4", o),
                })
                {
                    var e = v.Explain(url, at);
                    Assert.That(e.Ok, Is.True, url + "\n" + e);
                    Assert.That(e.FirstFailure, Is.Null);
                    Assert.That(e.KeyId, Is.EqualTo(Repo.Kid));
                }
                var late = v.Explain(signer.SignedLiveUrl("abc123", o), new VerifyOptions { Now = Now.AddHours(2) });
                Assert.That(late.Ok, Is.False);
                Assert.That(late.FirstFailure.Name, Is.EqualTo("expiry"));
                Assert.That(late.FirstFailure.Detail, Is.StringContaining("expired"));
                Assert.That(late.ToString(), Is.StringContaining("FAIL expiry"));
                var token = signer.Sign("videos/a/", o);
                var t = v.Verify(token, new VerifyOptions { Now = Now, Resource = Resource.Storage("videos/a/b.mp4") });
                Assert.That(t.Uri, Is.EqualTo("videos/a/"));
                Assert.That(t.ExpiresAt, Is.EqualTo(Now.AddHours(1)));
                Assert.Throws<UriMismatchException>(() => v.Verify(token, new VerifyOptions { Now = Now, Resource = Resource.Storage("videos/b.mp4") }));
                Assert.Throws<TokenExpiredException>(() => v.Verify(token, new VerifyOptions { Now = Now.AddHours(2) }));
                Assert.That(v.Verify(token, new VerifyOptions { Now = Now.AddHours(1).AddSeconds(30), Leeway = TimeSpan.FromMinutes(1) }).Uri, Is.EqualTo("videos/a/"));
                Assert.That(v.Verify(token, new VerifyOptions { Now = Now.AddHours(1).AddSeconds(30), Leeway = TimeSpan.FromTicks(TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond) }).Uri, Is.EqualTo("videos/a/"), "the longest whole-second TimeSpan saturates");
                Assert.Throws<InvalidArgumentException>(() => v.Verify(token, new VerifyOptions { Leeway = TimeSpan.MaxValue }), "TimeSpan.MaxValue is not whole seconds: the core refuses it");
                Assert.Throws<InvalidArgumentException>(() => v.Verify(token, new VerifyOptions { Leeway = TimeSpan.FromSeconds(-1) }));
                Assert.Throws<UnknownKeyIdException>(() => v.Verify(token, new VerifyOptions { Now = Now, KeyId = "other" }));
                var et = v.ExplainToken(token, new VerifyOptions { Now = Now, Resource = Resource.Live("abc") });
                Assert.That(et.Ok, Is.False);
                Assert.That(et.FirstFailure.Name, Is.EqualTo("resource"));
                Assert.That(et.Warnings.Select(w => w.Code), Is.Empty);
            }
            using (var pub = Verifier.FromPublicKey(Repo.Spki2048))
            using (var jwk = Verifier.FromJwk(signer.PublicKeyJwk()))
            {
                var token = signer.Sign("abc", new SignOptions { Now = Now });
                Assert.That(pub.Verify(token, new VerifyOptions { Now = Now }).KeyId, Is.EqualTo(Repo.Kid));
                Assert.That(jwk.Verify(token, new VerifyOptions { Now = Now }).Uri, Is.EqualTo("abc"));
                Assert.Throws<InvalidSignatureException>(() => pub.Verify(token.Substring(0, token.Length - 4) + "AAAA", new VerifyOptions { Now = Now }));
                Assert.Throws<MalformedTokenException>(() => pub.Verify("not.a.token"));
            }
        }

        [Test]
        public void CookiesAsAHeaderAndAsParts()
        {
            var o = new SignOptions { Now = Now, ExpiresIn = TimeSpan.FromMinutes(10) };
            var header = signer.SignedCookie("videos/a/", o, new CookieOptions { Domain = "example.com", SameSite = SameSite.Strict });
            Assert.That(header, Is.StringStarting("Qencode-Auth-Token=ey"));
            Assert.That(header, Is.StringEnding("; Domain=example.com; Path=/videos/a/; Max-Age=600; Secure; HttpOnly; SameSite=Strict"));
            var parts = signer.SignedCookieFields("videos/a/", o, new CookieOptions { Domain = "example.com", SameSite = SameSite.Strict });
            Assert.That(parts.Name, Is.EqualTo("Qencode-Auth-Token"));
            Assert.That(header, Is.StringStarting(parts.Name + "=" + parts.Value + ";"));
            Assert.That(parts.MaxAge, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(parts.Path, Is.EqualTo("/videos/a/"));
            Assert.That(parts.Secure && parts.HttpOnly, Is.True);
            Assert.That(parts.SameSite, Is.EqualTo(SameSite.Strict));
            Assert.That(parts.ToString(), Is.Not.StringContaining(parts.Value));
            Assert.That(signer.SignedCookieFields("videos/a/", new SignOptions { NeverExpires = true }).MaxAge, Is.Null);
            Assert.Throws<InvalidArgumentException>(() => signer.SignedCookie("videos/a/", null, new CookieOptions { SameSite = SameSite.None, Secure = false }));
            Assert.Throws<InvalidArgumentException>(() => signer.SignedCookie("videos/a/", null, new CookieOptions { SameSite = (SameSite)7 }));
        }

        [Test]
        public void AuditAndDecodeNeedNoKey()
        {
            var forever = signer.Sign("", new SignOptions { NeverExpires = true, Now = Now });
            Assert.That(Tokens.Audit(forever, Now).Select(w => w.Code), Is.EqualTo(new[] { "WHOLE_BUCKET", "NEVER_EXPIRES" }));
            Assert.That(signer.Audit(forever).Count, Is.EqualTo(2));
            var d = Tokens.DecodeUnverified(forever);
            Assert.That(d.Header["alg"], Is.EqualTo("RS256"));
            Assert.That(d.Header["kid"], Is.EqualTo(Repo.Kid));
            Assert.Throws<MalformedTokenException>(() => Tokens.DecodeUnverified("x.y"));
            Assert.That(Urls.LivePlaybackUrl("abc123", "h.p.s"), Is.EqualTo("https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=h.p.s"));
            Assert.That(Urls.StorageCustomDomainUrl("media.example.com", "/a/ü.mp4"), Is.EqualTo("https://media.example.com/a/%C3%BC.mp4"));
        }
    }

    [TestFixture]
    public class LifetimeTests
    {
        [Test]
        public void DisposingTwiceDoesNothingAndUseAfterDisposeIsObjectDisposed()
        {
            var s = Signer.FromPem(Repo.Kid, Repo.Key2048);
            var v = Verifier.FromSigner(s);
            var token = s.Sign("abc");
            s.Dispose();
            s.Dispose();
            Assert.Throws<ObjectDisposedException>(() => s.Sign("abc"));
            Assert.Throws<ObjectDisposedException>(() => s.PublicKeyPem());
            Assert.Throws<ObjectDisposedException>(() => s.SignedCookie("videos/a/"));
            Assert.Throws<ObjectDisposedException>(() => Verifier.FromSigner(s));
            Assert.That(s.ToString(), Is.StringContaining("disposed"));
            Assert.That(v.Verify(token).Uri, Is.EqualTo("abc"), "a verifier made from a signer outlives it");
            v.Dispose();
            v.Dispose();
            Assert.Throws<ObjectDisposedException>(() => v.Verify(token));
            Assert.Throws<ObjectDisposedException>(() => v.Explain("https://play-abc.qencode.com/qhls/qlive/playlist.m3u8"));
            var c = new Client("some-key");
            c.Dispose();
            c.Dispose();
            Assert.Throws<ObjectDisposedException>(() => c.ListDomains());
            Assert.Throws<ObjectDisposedException>(() => c.ListDomainsAsync());
        }

        [Test]
        public void EightThreadsShareOneSignerAndOneVerifier()
        {
            using (var s = Signer.FromPem(Repo.Kid, Repo.Key2048))
            using (var v = Verifier.FromSigner(s))
            {
                var errors = new List<Exception>();
                int ok = 0;
                var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
                {
                    try
                    {
                        for (int i = 0; i < 40; i++)
                        {
                            var uri = "videos/" + t + "/" + i + "/";
                            var tok = s.Sign(uri, new SignOptions { ExpiresIn = TimeSpan.FromMinutes(5) });
                            if (v.Verify(tok).Uri != uri) throw new Exception("wrong uri");
                            // Errors are per thread: each thread sees its own.
                            try { s.Sign("x", new SignOptions { ExpiresIn = TimeSpan.Zero }); throw new Exception("no error"); }
                            catch (InvalidArgumentException e) { if (!e.Message.Contains("expires_in")) throw; }
                            Interlocked.Increment(ref ok);
                        }
                    }
                    catch (Exception e) { lock (errors) errors.Add(e); }
                })).ToList();
                threads.ForEach(x => x.Start());
                threads.ForEach(x => x.Join());
                Assert.That(errors, Is.Empty);
                Assert.That(ok, Is.EqualTo(8 * 40));
            }
        }

        [Test]
        public void DisposingWhileOtherThreadsSignNeverCrashes()
        {
            for (int round = 0; round < 3; round++)
            {
                var s = Signer.FromPem(Repo.Kid, Repo.Key2048);
                int tokens = 0, sawDisposed = 0;
                var other = new List<Exception>();
                var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
                {
                    // Signs until the signer is disposed under it (bounded, in case it never is).
                    for (int i = 0; i < 100000; i++)
                    {
                        try { if (s.Sign("abc").StartsWith("ey", StringComparison.Ordinal)) Interlocked.Increment(ref tokens); }
                        catch (ObjectDisposedException) { Interlocked.Increment(ref sawDisposed); return; }
                        catch (Exception e) { lock (other) other.Add(e); return; }
                    }
                })).ToList();
                threads.ForEach(x => x.Start());
                SpinWait.SpinUntil(() => Volatile.Read(ref tokens) >= 8 || other.Count > 0);
                s.Dispose();
                threads.ForEach(x => x.Join());
                Assert.That(other, Is.Empty);
                Assert.That(sawDisposed, Is.EqualTo(8), "every thread ends on ObjectDisposedException, none on a crash or another error");
            }
        }
    }
}
