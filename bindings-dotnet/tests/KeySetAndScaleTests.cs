// Key sets (Verifier.FromJwks, FromKeys, Jwks, KeyIds), batches (SignMany:
// one result per item, never a failed batch for one bad item) and the token
// cache (Cached, CachedTokens), through the public API.
using System;
using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using Qencode.Cdn;

namespace Qencode.Cdn.Tests
{
    [TestFixture]
    public class KeySetTests
    {
        private static readonly VerifyOptions At = new VerifyOptions { Now = Repo.At(1700000000) };
        private static readonly SignOptions Pinned = new SignOptions { Now = Repo.At(1700000000) };

        [Test]
        public void AKeySetChoosesTheKeyByKidAndPublishesItsJwks()
        {
            using (var old = Signer.FromPem("key-2024", Repo.Key2048))
            using (var current = Signer.FromPem("key-2025", Repo.Key4096))
            using (var retired = Signer.FromPem("key-retired", Repo.Key2048))
            using (var pairs = Verifier.FromKeys(new Dictionary<string, string> { { "key-2024", old.PublicKeyPem() }, { "key-2025", current.PublicKeyPem() } }))
            {
                Assert.That(pairs.KeyIds, Is.EqualTo(new[] { "key-2024", "key-2025" }));
                Assert.That(pairs.ToString(), Is.EqualTo("Verifier(KeyIds=[key-2024, key-2025])"));
                Assert.That(pairs.Verify(old.Sign("videos/a/", Pinned), At).KeyId, Is.EqualTo("key-2024"));
                Assert.That(pairs.Verify(current.Sign("videos/a/", Pinned), At).KeyId, Is.EqualTo("key-2025"));
                var e = Assert.Throws<UnknownKeyIdException>(() => pairs.Verify(retired.Sign("videos/a/", Pinned), At));
                Assert.That(e.Message, Is.StringContaining("key-retired").And.StringContaining("key-2024").And.StringContaining("key-2025"));
                Assert.That(pairs.Explain(retired.SignedLiveUrl("abc123", Pinned), At).Ok, Is.False);

                // The JWK Set, read back as text and as parsed dictionaries.
                string jwks = pairs.Jwks();
                var doc = (Dictionary<string, object>)Json.Parse(jwks);
                var keys = ((List<object>)doc["keys"]).Cast<Dictionary<string, object>>().ToList();
                Assert.That(keys.Select(k => k["kid"]), Is.EqualTo(new[] { "key-2024", "key-2025" }));
                Assert.That(keys.All(k => (string)k["kty"] == "RSA" && (string)k["alg"] == "RS256" && (string)k["use"] == "sig"), Is.True);
                using (var fromText = Verifier.FromJwks(jwks))
                using (var fromObject = Verifier.FromJwks(doc))
                {
                    Assert.That(fromText.KeyIds, Is.EqualTo(pairs.KeyIds));
                    Assert.That(fromObject.Jwks(), Is.EqualTo(jwks));
                    Assert.That(fromObject.Verify(current.Sign("videos/a/", Pinned), At).KeyId, Is.EqualTo("key-2025"));
                    // A verify option narrows a set to one key.
                    Assert.Throws<UnknownKeyIdException>(() => fromText.Verify(current.Sign("videos/a/", Pinned), new VerifyOptions { Now = Repo.At(1700000000), KeyId = "key-2024" }));
                }
                // Each signer's own JWK makes a set too.
                using (var fromJwks = Verifier.FromJwks("{\"keys\":[" + old.PublicKeyJwk() + "," + current.PublicKeyJwk() + "]}"))
                    Assert.That(fromJwks.KeyIds, Is.EqualTo(new[] { "key-2024", "key-2025" }));
            }
        }

        [Test]
        public void KeysAsBytesAndAsAnySequenceOfPairs()
        {
            var pairs = new List<KeyValuePair<string, byte[]>>
            {
                new KeyValuePair<string, byte[]>("key-1", Repo.Bytes("tests/keys/rsa2048.spki.der")),
                new KeyValuePair<string, byte[]>("key-4", Repo.Bytes("tests/keys/rsa4096.spki.pem")),
            };
            using (var v = Verifier.FromKeys(pairs))
            using (var s = Signer.FromPem("key-1", Repo.Key2048))
            {
                Assert.That(v.KeyIds, Is.EqualTo(new[] { "key-1", "key-4" }));
                Assert.That(v.Verify(s.Sign("videos/a/", Pinned), At).Uri, Is.EqualTo("videos/a/"));
            }
            using (var one = Verifier.FromPublicKey(Repo.Spki2048))
            using (var withKid = Verifier.FromJwk(Signer.FromPem("key-1", Repo.Key2048).PublicKeyJwk()))
            {
                Assert.That(one.KeyIds, Is.Empty, "one key without an expected id");
                Assert.That(withKid.KeyIds, Is.EqualTo(new[] { "key-1" }));
                Assert.That(((Dictionary<string, object>)Json.Parse(one.Jwks()))["keys"], Has.Count.EqualTo(1));
            }
        }

        [Test]
        public void BadKeySetsAreTypedErrorsNamingTheKey()
        {
            Assert.Throws<InvalidArgumentException>(() => Verifier.FromKeys(new Dictionary<string, string>()), "no keys");
            Assert.Throws<InvalidArgumentException>(() => Verifier.FromKeys((IEnumerable<KeyValuePair<string, string>>)null));
            Assert.Throws<InvalidArgumentException>(() => Verifier.FromKeys(new[] { new KeyValuePair<string, string>("key-1", null) }), "a null key");
            Assert.Throws<InvalidArgumentException>(() => Verifier.FromJwks("{\"keys\":[]}"));
            var dup = Assert.Throws<InvalidKeyException>(() => Verifier.FromKeys(new[]
            {
                new KeyValuePair<string, string>("key-1", Repo.Spki2048), new KeyValuePair<string, string>("key-1", Repo.Spki2048),
            }));
            Assert.That(dup.Message, Is.StringContaining("key-1"));
            var bad = Assert.Throws<InvalidKeyException>(() => Verifier.FromKeys(new Dictionary<string, string> { { "key-1", Repo.Spki2048 }, { "key-bad", "not a key" } }));
            Assert.That(bad.Message, Is.StringContaining("key-bad"));
            Assert.Throws<InvalidKeyException>(() => Verifier.FromJwks("not json"));
            Assert.Throws<InvalidArgumentException>(() => Verifier.FromJwks((string)null));
        }
    }

    [TestFixture]
    public class BatchAndCacheTests
    {
        private Signer signer;
        private static readonly SignOptions Pinned = new SignOptions { Now = Repo.At(1700000000) };

        [TestFixtureSetUp] public void Load() { signer = Signer.FromPem(Repo.Kid, Repo.Key2048); }
        [TestFixtureTearDown] public void Free() { signer.Dispose(); }

        [Test]
        public void OneResultPerItemInOrderAndABadItemNeverFailsTheBatch()
        {
            var items = new[]
            {
                new SignRequest("videos/0/", new SignOptions { Now = Repo.At(1700000000), ExpiresIn = TimeSpan.FromMinutes(10) }),
                new SignRequest("/bad", Pinned),
                new SignRequest("videos/2/", new SignOptions { Now = Repo.At(1700000000), Claims = new Dictionary<string, object> { { "viewer", "u-42" } } }),
                new SignRequest("videos/3/", new SignOptions { Now = Repo.At(1700000000), ExpiresIn = null }),
                new SignRequest("videos/4/", new SignOptions { Now = Repo.At(1700000000), ExpiresIn = TimeSpan.Zero }),
                new SignRequest("videos/5/"),
            };
            foreach (var threads in new int?[] { null, 1, 2, 64 })
            {
                var results = signer.SignMany(items, threads);
                Assert.That(results.Select(r => r.Ok), Is.EqualTo(new[] { true, false, true, false, false, true }));
                Assert.That(results[0].Token, Is.EqualTo(signer.Sign(items[0].Uri, items[0].Options)));
                Assert.That(results[2].Token, Is.EqualTo(signer.Sign(items[2].Uri, items[2].Options)));
                Assert.That(Tokens.DecodeUnverified(results[5].Token).Claims["uri"], Is.EqualTo("videos/5/"), "no options: the defaults");
                Assert.That(results[1].Error, Is.InstanceOf<InvalidArgumentException>());
                Assert.That(results[1].Error.Message, Is.StringContaining("/bad"));
                Assert.That(((InvalidArgumentException)results[3].Error).IsTypeError, Is.True, "a null lifetime is a type error, as for Sign");
                Assert.That(results[4].Error, Is.InstanceOf<InvalidArgumentException>());
                var thrown = Assert.Throws<InvalidArgumentException>(() => { var unused = results[1].Token; });
                Assert.That(thrown, Is.SameAs(results[1].Error), "Token throws the item's error");
                Assert.That(results[0].ToString(), Is.EqualTo("SignResult(Ok, Token=<redacted>)"));
                Assert.That(results[1].ToString(), Is.EqualTo("SignResult(INVALID_ARGUMENT)"));
            }
            Assert.That(signer.SignMany(new string[0]), Is.Empty);
            var same = signer.SignMany(new[] { "a/", "b/", "c/" }, Pinned, 2);
            Assert.That(same.Select(r => r.Token), Is.EqualTo(new[] { "a/", "b/", "c/" }.Select(u => signer.Sign(u, Pinned))));
        }

        [Test]
        public void WhatCSharpCannotPassFailsTheWholeCall()
        {
            Assert.Throws<InvalidArgumentException>(() => signer.SignMany((IEnumerable<SignRequest>)null));
            Assert.Throws<InvalidArgumentException>(() => signer.SignMany(new SignRequest[] { new SignRequest("a/"), null }));
            Assert.Throws<InvalidArgumentException>(() => signer.SignMany(new[] { "a/", null }));
            Assert.Throws<InvalidArgumentException>(() => signer.SignMany(new[] { "a/\0b" }));
            Assert.Throws<InvalidArgumentException>(() => signer.SignMany(new[] { "a/" }, null, 0));
            Assert.Throws<InvalidArgumentException>(() => signer.SignMany(new[] { "a/" }, new SignOptions { Claims = new Dictionary<string, object> { { "x", new object() } } }));
        }

        [Test]
        public void ACachedSignerSharesOneTokenPerWindow()
        {
            using (var cached = signer.Cached(TimeSpan.FromMinutes(5)))
            {
                Assert.That(cached.CacheWindow, Is.EqualTo(TimeSpan.FromMinutes(5)));
                Assert.That(signer.CacheWindow, Is.Null);
                Assert.That(cached.ToString(), Is.EqualTo("Signer(KeyId=key-1, KeyBits=2048, CacheWindow=300s)"));
                var o = new SignOptions { ExpiresIn = TimeSpan.FromHours(1) };
                var a = cached.SignedLiveUrl("abc123", o);
                Assert.That(cached.SignedLiveUrl("abc123", o), Is.EqualTo(a));
                Assert.That(cached.CachedTokens, Is.EqualTo(1));
                Assert.That(signer.CachedTokens, Is.EqualTo(0), "the original stays uncached");
                var exp = (long)Tokens.DecodeUnverified(a.Split(new[] { "auth=" }, StringSplitOptions.None)[1]).Claims["exp"];
                Assert.That(exp % 300, Is.EqualTo(0), "exp rounded up to the window");
                Assert.That(cached.SignMany(new[] { "abc123", "other" }, o).Select(r => r.Ok), Is.EqualTo(new[] { true, true }));
                Assert.That(cached.CachedTokens, Is.EqualTo(2));
                // Pinned clocks are not cached unless asked.
                cached.Sign("pinned/", Pinned);
                Assert.That(cached.CachedTokens, Is.EqualTo(2));
            }
            using (var small = signer.Cached(TimeSpan.FromSeconds(60), 3, true))
            {
                for (int i = 0; i < 10; i++) small.Sign("videos/" + i + "/", Pinned);
                Assert.That(small.CachedTokens, Is.InRange(1, 3));
            }
            Assert.Throws<InvalidArgumentException>(() => signer.Cached(TimeSpan.Zero));
            Assert.Throws<InvalidArgumentException>(() => signer.Cached(TimeSpan.FromDays(2)));
            Assert.Throws<InvalidArgumentException>(() => signer.Cached(TimeSpan.FromSeconds(1.5)));
            Assert.Throws<InvalidArgumentException>(() => signer.Cached(TimeSpan.FromSeconds(-60)));
            Assert.Throws<InvalidArgumentException>(() => signer.Cached(TimeSpan.FromSeconds(60), 0));
        }

        [Test]
        public void ACachedExternalSignerCallsItsFunctionOncePerUriAndWindow()
        {
            using (var rsa = PlatformRsa.Load("tests/keys/rsa2048.pkcs1.pem"))
            {
                int calls = 0;
                var sign = PlatformRsa.Function(rsa);
                using (var ext = Signer.External("key-1", PlatformRsa.PublicPem("tests/keys/rsa2048.pkcs1.pem"), input => { System.Threading.Interlocked.Increment(ref calls); return sign(input); }))
                using (var cached = ext.Cached(TimeSpan.FromMinutes(5)))
                {
                    var first = cached.Sign("videos/a/");
                    for (int i = 0; i < 20; i++) Assert.That(cached.Sign("videos/a/"), Is.EqualTo(first));
                    Assert.That(cached.SignMany(Enumerable.Repeat("videos/a/", 8), null, 4).All(r => r.Token == first), Is.True);
                    Assert.That(calls, Is.EqualTo(1));
                }
            }
        }

        [Test]
        public void DisposedSignersRefuseTheNewCalls()
        {
            var s = Signer.FromPem(Repo.Kid, Repo.Key2048);
            var cached = s.Cached(TimeSpan.FromMinutes(1));
            s.Dispose();
            Assert.Throws<ObjectDisposedException>(() => s.SignMany(new[] { "a/" }));
            Assert.Throws<ObjectDisposedException>(() => s.Cached(TimeSpan.FromMinutes(1)));
            Assert.Throws<ObjectDisposedException>(() => s.Prepare("a/"));
            Assert.Throws<ObjectDisposedException>(() => { var unused = s.CachedTokens; });
            Assert.That(cached.Sign("a/"), Is.Not.Empty, "a cached signer outlives its source");
            cached.Dispose();
        }
    }
}
