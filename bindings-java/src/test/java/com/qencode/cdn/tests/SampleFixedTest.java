package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.Check;
import com.qencode.cdn.DecodedToken;
import com.qencode.cdn.Explanation;
import com.qencode.cdn.InvalidSignatureException;
import com.qencode.cdn.Signer;
import com.qencode.cdn.Tokens;
import com.qencode.cdn.VerifiedToken;
import com.qencode.cdn.Verifier;
import com.qencode.cdn.VerifyOptions;
import com.qencode.cdn.tests.sample.Main;
import java.lang.reflect.Method;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The reference's Java sample (tests/…/sample/Main.java, jjwt, as written)
 * makes tokens the edge refuses; the two-line replacement with this package
 * makes tokens that verify.
 */
class SampleFixedTest {
    private static final String KEY_ID = "ec25a6a6-b31e-4ac9-af01-711460421c6b";
    private static final String PLAYBACK_ID = "1f1ab6a3-d867-4787-b882-7f2fb1203634";

    /** Calls the sample's own generateSignedToken (private, so by reflection: its code is unchanged). */
    static String sampleToken(String keyId, String privateKeyPem, String uri) throws Exception {
        Method m = Main.class.getDeclaredMethod("generateSignedToken", String.class, String.class, String.class,
                long.class, Long.class);
        m.setAccessible(true);
        return (String) m.invoke(null, keyId, privateKeyPem, uri, 3600L, null);
    }

    @Test
    void theSamplesTokenIsRefusedAndTheCheckSaysItIsHs256WithoutKid() throws Exception {
        String pem = TestSupport.text("tests/keys/rsa2048.pkcs1.pem");
        String token = sampleToken(KEY_ID, pem, PLAYBACK_ID);

        DecodedToken decoded = Tokens.decodeUnverified(token);
        assertEquals("HS256", decoded.header().get("alg"), "the sample signs with HMAC");
        assertNull(decoded.header().get("kid"), "the sample writes no kid header");
        assertEquals(KEY_ID, decoded.claims().get("jti"), "the sample writes the key id as jti");

        try (Verifier verifier = Verifier.fromPublicKey(TestSupport.text("tests/keys/rsa2048.spki.pem"))) {
            InvalidSignatureException e = assertThrows(InvalidSignatureException.class,
                    () -> verifier.verify(token, VerifyOptions.builder().keyId(KEY_ID).build()));
            assertTrue(e.getMessage().contains("HS256"), e.getMessage());

            Explanation why = verifier.explainToken(token, VerifyOptions.builder().keyId(KEY_ID).build());
            assertFalse(why.ok());
            Check failed = why.firstFailure().orElseThrow();
            assertEquals("algorithm", failed.name());
            assertTrue(failed.detail().contains("HS256"), failed.detail());
            assertNull(why.keyId(), "the explanation sees no kid");
        }
    }

    @Test
    void theTwoLineReplacementMakesATokenThatVerifies() {
        String privateKeyPem = TestSupport.text("tests/keys/rsa2048.pkcs1.pem");
        long before = Instant.now().getEpochSecond();

        Signer signer = Signer.fromPem(KEY_ID, privateKeyPem);
        String token = signer.sign(PLAYBACK_ID);

        try (signer; Verifier verifier = Verifier.fromPublicKey(TestSupport.text("tests/keys/rsa2048.spki.pem"))) {
            VerifiedToken t = verifier.verify(token, VerifyOptions.builder().keyId(KEY_ID).build());
            assertEquals(KEY_ID, t.keyId());
            assertEquals(PLAYBACK_ID, t.uri());
            long exp = t.expiresAt().orElseThrow().getEpochSecond();
            assertTrue(exp >= before + 3600 && exp <= Instant.now().getEpochSecond() + 3600, "exp one hour ahead");
            DecodedToken d = Tokens.decodeUnverified(token);
            assertEquals("RS256", d.header().get("alg"));
            assertEquals(KEY_ID, d.header().get("kid"));
            assertTrue(verifier.explainToken(token).ok());
        }
    }
}
