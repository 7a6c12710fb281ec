package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.qencode.cdn.InvalidSignatureException;
import com.qencode.cdn.Resource;
import com.qencode.cdn.SignOptions;
import com.qencode.cdn.Signer;
import com.qencode.cdn.UriMismatchException;
import com.qencode.cdn.VerifiedToken;
import com.qencode.cdn.Verifier;
import com.qencode.cdn.VerifyOptions;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our tokens against two independent RS256 implementations: nimbus-jose-jwt and the JDK's own RSA. */
class InteropTest {
    static RSAPublicKey publicKey(String bits) throws Exception {
        byte[] der = TestSupport.bytes("tests/keys/rsa" + bits + ".spki.pem");
        String pem = new String(der, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    static RSAPrivateKey privateKey(String bits) throws Exception {
        String pem = TestSupport.text("tests/keys/rsa" + bits + ".pkcs8.pem").replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    /**
     * The golden tokens (the sign cases of tests/conformance/sign.json that expect a token; the
     * conformance runner checks that we reproduce each byte for byte): nimbus verifies every one
     * with the public half of its key and reads the case's key id and uri in it.
     */
    @TestFactory
    Stream<DynamicTest> nimbusVerifiesEveryGoldenToken() {
        List<Golden> golden = Golden.all();
        assertTrue(golden.size() >= 30, "the golden sign cases: " + golden.size());
        return golden.stream().map(g -> DynamicTest.dynamicTest(g.name(), () -> {
            SignedJWT jwt = SignedJWT.parse(g.token());
            assertTrue(jwt.verify(new RSASSAVerifier((RSAPublicKey) Golden.publicKey(g.keyName()))), "nimbus verifies the signature");
            assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
            assertEquals(JOSEObjectType.JWT, jwt.getHeader().getType());
            assertEquals(g.kid(), jwt.getHeader().getKeyID());
            assertEquals(g.uri(), jwt.getJWTClaimsSet().getStringClaim("uri"));
            // …and the same signature over another payload is refused: the check can fail.
            String[] parts = g.token().split("\\.");
            String other = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"uri\":\"elsewhere/\"}".getBytes(StandardCharsets.UTF_8));
            SignedJWT forged = SignedJWT.parse(parts[0] + "." + other + "." + parts[2]);
            assertFalse(forged.verify(new RSASSAVerifier((RSAPublicKey) Golden.publicKey(g.keyName()))), "another payload is refused");
        }));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2048", "4096"})
    void nimbusVerifiesOurTokens(String bits) throws Exception {
        try (Signer signer = Signer.fromPem("key-" + bits, TestSupport.text("tests/keys/rsa" + bits + ".pkcs1.pem"))) {
            String url = signer.signedStorageUrl("my-bucket", "us-west", "videos/a/intro.mp4",
                    SignOptions.builder().expiresIn(Duration.ofMinutes(10)).claim("viewer", "u-42").build());
            String token = url.substring(url.indexOf("auth=") + 5);
            SignedJWT jwt = SignedJWT.parse(token);
            assertTrue(jwt.verify(new RSASSAVerifier(publicKey(bits))), "nimbus verifies the signature");
            assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
            assertEquals("key-" + bits, jwt.getHeader().getKeyID());
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            assertEquals("videos/a/intro.mp4", claims.getStringClaim("uri"));
            assertEquals("u-42", claims.getStringClaim("viewer"));
            long exp = claims.getExpirationTime().toInstant().getEpochSecond();
            long now = Instant.now().getEpochSecond();
            assertTrue(exp > now + 590 && exp <= now + 600, "exp ten minutes ahead");
            // nimbus also reads our JWK as the same public key.
            RSAKey jwk = RSAKey.parse(signer.publicKeyJwk());
            assertEquals(publicKey(bits).getModulus(), jwk.toRSAPublicKey().getModulus());
            assertEquals("key-" + bits, jwk.getKeyID());
        }
    }

    @Test
    void theJdksSha256WithRsaVerifiesOurTokensAndMakesTheSameSignatureBytes() throws Exception {
        try (Signer signer = Signer.fromPem("key-1", TestSupport.text("tests/keys/rsa2048.pkcs1.pem"))) {
            String token = signer.sign("videos/a/", SignOptions.builder().now(Instant.ofEpochSecond(1_700_000_000)).build());
            String[] parts = token.split("\\.");
            byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            byte[] sig = Base64.getUrlDecoder().decode(parts[2]);

            Signature verify = Signature.getInstance("SHA256withRSA");
            verify.initVerify(publicKey("2048"));
            verify.update(input);
            assertTrue(verify.verify(sig), "java.security verifies the signature");

            Signature sign = Signature.getInstance("SHA256withRSA");
            sign.initSign(privateKey("2048"));
            sign.update(input);
            assertArrayEquals(sign.sign(), sig, "PKCS#1 v1.5 is deterministic: the JDK signs the same bytes");
        }
    }

    static String nimbusToken(String kid, JWSAlgorithm alg, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(new RSASSASigner(privateKey("2048")));
        return jwt.serialize();
    }

    @Test
    void ourVerifierAcceptsNimbusSignedRs256Tokens() throws Exception {
        Instant exp = Instant.now().plusSeconds(600);
        JWTClaimsSet claims = new JWTClaimsSet.Builder().claim("uri", "videos/a/")
                .expirationTime(Date.from(exp)).claim("tier", 3).claim("geo", List.of("US")).build();
        String token = nimbusToken("key-1", JWSAlgorithm.RS256, claims);
        try (Verifier verifier = Verifier.fromPublicKey(TestSupport.bytes("tests/keys/rsa2048.spki.der"))) {
            VerifyOptions opts = VerifyOptions.builder().keyId("key-1").resource(Resource.storage("videos/a/1.ts")).build();
            VerifiedToken t = verifier.verify(token, opts);
            assertEquals("key-1", t.keyId());
            assertEquals("videos/a/", t.uri());
            assertEquals(exp.getEpochSecond(), t.expiresAt().orElseThrow().getEpochSecond());
            assertEquals(3L, t.claims().get("tier"));
            assertEquals(List.of("US"), t.claims().get("geo"));
            assertTrue(verifier.explainToken(token, VerifyOptions.builder().keyId("key-1").build()).ok());
            assertThrows(UriMismatchException.class, () -> verifier.verify(token,
                    VerifyOptions.builder().resource(Resource.storage("videos/b/1.ts")).build()));
        }
        // The verifier built from nimbus's JWK of the same key, with its kid.
        RSAKey jwk = new RSAKey.Builder(publicKey("2048")).keyID("key-1").build();
        try (Verifier verifier = Verifier.fromJwk(jwk.toJSONString())) {
            assertEquals("videos/a/", verifier.verify(token).uri());
        }
    }

    @Test
    void nimbusTokensWithAnotherAlgorithmAreRefused() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().claim("uri", "videos/a/")
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build();
        String rs512 = nimbusToken("key-1", JWSAlgorithm.RS512, claims);
        String ps256 = nimbusToken("key-1", JWSAlgorithm.PS256, claims);
        try (Verifier verifier = Verifier.fromPublicKey(TestSupport.text("tests/keys/rsa2048.spki.pem"))) {
            assertThrows(InvalidSignatureException.class, () -> verifier.verify(rs512));
            assertThrows(InvalidSignatureException.class, () -> verifier.verify(ps256));
        }
    }
}
