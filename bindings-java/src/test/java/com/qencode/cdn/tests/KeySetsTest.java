package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import com.qencode.cdn.InvalidArgumentException;
import com.qencode.cdn.InvalidKeyException;
import com.qencode.cdn.Signer;
import com.qencode.cdn.UnknownKeyIdException;
import com.qencode.cdn.Verifier;
import com.qencode.cdn.VerifyOptions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key sets from the Java values users hold (JWK Set text or a parsed Map, a Map or pairs of kid to key), and nimbus reading our JWK Set. */
class KeySetsTest {
    static final String PEM_2048 = TestSupport.text("tests/keys/rsa2048.pkcs1.pem");
    static final String PEM_4096 = TestSupport.text("tests/keys/rsa4096.pkcs1.pem");

    @Test
    void aRotationFromEveryJavaShapeOfTheKeys() throws Exception {
        try (Signer old = Signer.fromPem("key-old", PEM_2048); Signer current = Signer.fromPem("key-new", PEM_4096);
             Signer retired = Signer.fromPem("key-retired", PEM_2048)) {
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("key-old", old.publicKeyPem());
            keys.put("key-new", Base64.getEncoder().encodeToString(Golden.publicKey("rsa4096").getEncoded())); // DER
            String jwks;
            try (Verifier fromMap = Verifier.fromKeys(keys)) {
                assertEquals(List.of("key-old", "key-new"), fromMap.keyIds());
                jwks = fromMap.jwks();
            }
            Map<String, Object> parsed = TestSupport.parseObject(jwks);
            List<Verifier> verifiers = List.of(
                    Verifier.fromKeys(List.of(Map.entry("key-old", old.publicKeyPem()), Map.entry("key-new", current.publicKeyJwk()))),
                    Verifier.fromJwks(jwks),
                    Verifier.fromJwks(parsed),
                    Verifier.fromPublicKey(jwks)); // a JWK Set of several keys is a key set wherever a key is read
            for (Verifier v : verifiers) {
                try (v) {
                    assertEquals(List.of("key-old", "key-new"), v.keyIds());
                    assertEquals("key-old", v.verify(old.sign("videos/a/")).keyId());
                    assertEquals("key-new", v.verify(current.sign("videos/a/")).keyId());
                    UnknownKeyIdException e = assertThrows(UnknownKeyIdException.class, () -> v.verify(retired.sign("videos/a/")));
                    assertTrue(e.getMessage().contains("key-retired") && e.getMessage().contains("key-old"), e.getMessage());
                    assertThrows(UnknownKeyIdException.class,
                            () -> v.verify(current.sign("videos/a/"), VerifyOptions.builder().keyId("key-old").build()),
                            "an expected key id narrows the set");
                    assertEquals(parsed, TestSupport.parseObject(v.jwks()), "the same JWK Set back");
                }
            }
            // nimbus-jose-jwt reads the published set and verifies each key's tokens with it
            JWKSet set = JWKSet.parse(jwks);
            for (Signer s : List.of(old, current)) {
                SignedJWT jwt = SignedJWT.parse(s.sign("videos/a/"));
                RSAKey key = (RSAKey) set.getKeyByKeyId(jwt.getHeader().getKeyID());
                assertTrue(jwt.verify(new RSASSAVerifier(key)), s.keyId());
            }
        }
    }

    @Test
    void aSingleKeyVerifierPublishesItsKey() {
        try (Signer s = Signer.fromPem("key-1", PEM_2048); Verifier bySigner = Verifier.fromSigner(s);
             Verifier byPem = Verifier.fromPublicKey(s.publicKeyPem())) {
            assertEquals(List.of("key-1"), bySigner.keyIds());
            assertEquals(List.of(), byPem.keyIds(), "a PEM names no key id");
            assertEquals(1, ((List<?>) TestSupport.parseObject(byPem.jwks()).get("keys")).size());
        }
    }

    @Test
    void badSetsAreRefusedWithTheirCode() {
        assertThrows(InvalidArgumentException.class, () -> Verifier.fromKeys(Map.of()), "no keys");
        assertThrows(InvalidArgumentException.class, () -> Verifier.fromJwks("{\"keys\":[]}"), "an empty set");
        assertThrows(InvalidKeyException.class, () -> Verifier.fromKeys(Map.of("k", "not a key")));
        assertThrows(InvalidKeyException.class, () -> Verifier.fromKeys(List.of(Map.entry("k", TestSupport.text("tests/keys/rsa2048.spki.pem")),
                Map.entry("k", TestSupport.text("tests/keys/rsa4096.spki.pem")))), "a key id twice");
        assertThrows(InvalidKeyException.class, () -> Verifier.fromJwks("keys: []"));
        assertThrows(InvalidArgumentException.class, () -> Verifier.fromJwks((String) null));
        assertThrows(InvalidArgumentException.class, () -> Verifier.fromKeys((Map<String, String>) null));
        Map<String, String> nullKey = new LinkedHashMap<>();
        nullKey.put("k", null);
        assertThrows(InvalidArgumentException.class, () -> Verifier.fromKeys(nullKey), "the core reads the null");
    }
}
