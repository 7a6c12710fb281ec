package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.CookieOptions;
import com.qencode.cdn.ErrorCode;
import com.qencode.cdn.InvalidArgumentException;
import com.qencode.cdn.InvalidArgumentTypeException;
import com.qencode.cdn.InvalidKeyException;
import com.qencode.cdn.QencodeCdn;
import com.qencode.cdn.QencodeException;
import com.qencode.cdn.SameSite;
import com.qencode.cdn.SignOptions;
import com.qencode.cdn.SignedCookie;
import com.qencode.cdn.Signer;
import com.qencode.cdn.TokenExpiredException;
import com.qencode.cdn.Tokens;
import com.qencode.cdn.Urls;
import com.qencode.cdn.VerifiedToken;
import com.qencode.cdn.Verifier;
import com.qencode.cdn.VerifyOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java conversions (Duration, Instant, null, claims, strings) and what the Java API adds. */
class SignerTest {
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);
    static final String PEM = TestSupport.text("tests/keys/rsa2048.pkcs1.pem");
    static Signer signer;
    static Verifier verifier;

    @BeforeAll
    static void load() {
        signer = Signer.fromPem("key-1", PEM);
        verifier = Verifier.fromSigner(signer);
    }

    @AfterAll
    static void close() {
        signer.close();
        verifier.close();
    }

    static SignOptions.Builder at() {
        return SignOptions.builder().now(NOW);
    }

    static Map<String, Object> claims(String token) {
        return Tokens.decodeUnverified(token).claims();
    }

    @Test
    void aNullLifetimeIsAnIllegalArgumentOfTheTypeKindNeverForever() {
        for (SignOptions o : List.of(at().expiresIn(null).build(), at().expiresAt(null).build())) {
            InvalidArgumentTypeException e = assertThrows(InvalidArgumentTypeException.class, () -> signer.sign("x", o));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e instanceof IllegalArgumentException);
            assertTrue(e.isTypeError());
        }
        // null for anything else is "not given"
        assertEquals(claims(signer.sign("x", at().build())), claims(signer.sign("x", at().notBefore(null).claims(null).build())));
    }

    @Test
    void neverExpiresIsTheOnlyWayToATokenWithoutExp() {
        Map<String, Object> c = claims(signer.sign("forever", at().neverExpires().build()));
        assertFalse(c.containsKey("exp"));
        assertEquals(NOW.getEpochSecond() + 3600, claims(signer.sign("x", at().build())).get("exp"), "default one hour");
        assertThrows(InvalidArgumentException.class,
                () -> signer.sign("x", at().neverExpires().expiresIn(Duration.ofSeconds(60)).build()));
    }

    @Test
    void durationsAreSecondsAndTheCoreRefusesFractionsZeroAndNegatives() {
        assertEquals(NOW.getEpochSecond() + 600, claims(signer.sign("x", at().expiresIn(Duration.ofMinutes(10)).build())).get("exp"));
        for (Duration bad : List.of(Duration.ofMillis(1500), Duration.ZERO, Duration.ofSeconds(-5), Duration.ofMillis(-1500))) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> signer.sign("x", at().expiresIn(bad).build()), bad::toString);
            assertFalse(e.isTypeError(), bad::toString);
        }
        assertEquals("{\"expires_in\":1.5}", SignOptions.builder().expiresIn(Duration.ofMillis(1500)).build().toJson());
        assertThrows(InvalidArgumentException.class, () -> verifier.verify(signer.sign("x"),
                VerifyOptions.builder().leeway(Duration.ofSeconds(-1)).build()));
        assertThrows(InvalidArgumentException.class, () -> verifier.verify(signer.sign("x"),
                VerifyOptions.builder().leeway(Duration.ofMillis(500)).build()));
    }

    @Test
    void instantsAreUnixSecondsRoundedDownAndMillisecondsAreRefused() {
        Instant exp = NOW.plusSeconds(600).plusMillis(999);
        assertEquals(NOW.getEpochSecond() + 600, claims(signer.sign("x", at().expiresAt(exp).build())).get("exp"));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> signer.sign("x", at().expiresAt(Instant.ofEpochSecond(System.currentTimeMillis())).build()));
        assertTrue(e.getMessage().contains("milliseconds"), e.getMessage());
        Map<String, Object> c = claims(signer.sign("x", at().notBefore(NOW.plusSeconds(10)).build()));
        assertEquals(NOW.getEpochSecond() + 10, c.get("nbf"));
    }

    @Test
    void claimsAreJsonValuesAndInstantsAreSeconds() {
        Map<String, Object> c = claims(signer.sign("x", at().claim("s", "t").claim("n", 42).claim("f", 0.25)
                .claim("b", true).claim("l", List.of(1, "x")).claim("a", new int[] {1, 2}).claim("m", Map.of("k", "v"))
                .claim("t", NOW).claim("z", null).build()));
        assertEquals("t", c.get("s"));
        assertEquals(42L, c.get("n"));
        assertEquals(0.25, c.get("f"));
        assertEquals(true, c.get("b"));
        assertEquals(List.of(1L, "x"), c.get("l"));
        assertEquals(List.of(1L, 2L), c.get("a"));
        assertEquals(Map.of("k", "v"), c.get("m"));
        assertEquals(NOW.getEpochSecond(), c.get("t"));
        assertTrue(c.containsKey("z") && c.get("z") == null);
        assertThrows(InvalidArgumentTypeException.class, () -> at().claim("o", new Object()).build());
        assertThrows(InvalidArgumentException.class, () -> at().claim("nan", Double.NaN).build());
        assertThrows(InvalidArgumentException.class, () -> signer.sign("x", at().claim("exp", 1).build()));
    }

    @Test
    void stringsCCannotHoldAreRefusedNotCutShort() {
        assertThrows(InvalidArgumentException.class, () -> signer.sign("videos/a\0/secret"));
        assertThrows(InvalidArgumentException.class, () -> signer.sign("bad \uD800 surrogate"));
        assertThrows(InvalidArgumentException.class, () -> Urls.storageUrl("my-bucket", "us-west", "a\0b"));
        assertEquals("vidéos/👍", claims(signer.sign("vidéos/👍")).get("uri"));
        assertThrows(InvalidArgumentException.class, () -> signer.sign(null));
        assertThrows(InvalidArgumentException.class, () -> Signer.fromPem(null, PEM));
        assertThrows(InvalidArgumentException.class, () -> Signer.fromPem("k\0", PEM));
    }

    @Test
    void urlsCookiesAndSignUrl() {
        String url = signer.signedLiveUrl("abc123", at().build());
        assertTrue(url.startsWith("https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=ey"), url);
        assertEquals("https://media.example.com/a%20b.mp4", Urls.storageCustomDomainUrl("media.example.com", "a b.mp4"));
        String signed = signer.signUrl("https://cdn.example.com/v/a.m3u8?x=1#t", "v/", at().build());
        assertTrue(signed.startsWith("https://cdn.example.com/v/a.m3u8?x=1&auth=ey") && signed.endsWith("#t"), signed);

        CookieOptions opts = CookieOptions.builder().domain("example.com").sameSite(SameSite.STRICT).build();
        SignedCookie cookie = signer.signedCookie("videos/a/", at().expiresIn(Duration.ofMinutes(10)).build(), opts);
        String header = signer.signedCookieHeader("videos/a/", at().expiresIn(Duration.ofMinutes(10)).build(), opts);
        assertEquals("Qencode-Auth-Token", cookie.name());
        assertEquals("example.com", cookie.domain());
        assertEquals("/videos/a/", cookie.path());
        assertEquals(600L, cookie.maxAge());
        assertEquals(SameSite.STRICT, cookie.sameSite());
        assertTrue(cookie.secure() && cookie.httpOnly());
        assertEquals("Qencode-Auth-Token=" + cookie.value() + "; Domain=example.com; Path=/videos/a/; Max-Age=600; Secure; HttpOnly; SameSite=Strict", header);
        assertNull(signer.signedCookie("videos/a/", at().neverExpires().build(), null).maxAge());
        assertThrows(InvalidArgumentException.class, () -> signer.signedCookie("videos/a/master.m3u8", null, null));
    }

    @Test
    void verificationAndExplanation() {
        String token = signer.sign("videos/a/", at().build());
        VerifiedToken t = verifier.verify(token, VerifyOptions.builder().now(NOW.plusSeconds(10)).build());
        assertEquals("key-1", t.keyId());
        assertEquals(NOW.plusSeconds(3600), t.expiresAt().orElseThrow());
        assertThrows(TokenExpiredException.class, () -> verifier.verify(token));
        var why = verifier.explain(Urls.storageUrl("my-bucket", "us-west", "videos/a/1.ts", token));
        assertFalse(why.ok());
        assertEquals("expiry", why.firstFailure().orElseThrow().name());
        assertEquals("storage", why.form());
        try (Verifier jwk = Verifier.fromJwk(signer.publicKeyJwk()); Verifier pem = Verifier.fromPublicKey(signer.publicKeyPem())) {
            assertEquals("videos/a/", jwk.verify(token, VerifyOptions.builder().now(NOW).build()).uri());
            assertEquals("videos/a/", pem.verify(token, VerifyOptions.builder().now(NOW).build()).uri());
        }
        assertEquals(List.of("WHOLE_BUCKET", "NEVER_EXPIRES"),
                Tokens.audit(signer.sign("", at().neverExpires().build()), NOW).stream().map(w -> w.code()).toList());
    }

    @Test
    void keysFromFilesAndTheEnvironmentNeverShowTheKey() {
        try (Signer f = Signer.fromFile("key-4", Path.of(TestSupport.path("tests/keys/rsa4096.pkcs8.pem").toString()))) {
            assertEquals(4096, f.keyBits());
            assertEquals("Signer[keyId=key-4, bits=4096]", f.toString());
        }
        InvalidArgumentException missing = assertThrows(InvalidArgumentException.class,
                () -> Signer.fromFile("k", Path.of("/no/such/key.pem")));
        assertTrue(missing.getMessage().contains("/no/such/key.pem"), missing.getMessage());
        String garbage = PEM.replace("MII", "MIX");
        InvalidKeyException bad = assertThrows(InvalidKeyException.class, () -> Signer.fromPem("k", garbage));
        String body = PEM.split("\n")[2];
        assertFalse(bad.getMessage().contains(body), "the key's bytes are never in a message");
        assertTrue(bad instanceof QencodeException);
        assertEquals(QencodeCdn.version(), QencodeCdn.libraryVersion());
    }

    @Test
    void aClosedSignerRefusesCallsAndClosingTwiceIsFine() {
        Signer s = Signer.fromPem("k", PEM);
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.sign("x"));
        assertTrue(s.toString().endsWith(", closed]"));
        assertThrows(InvalidArgumentException.class, () -> Verifier.fromSigner(null));
    }
}
