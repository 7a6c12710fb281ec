package com.qencode.cdn.tests;

import com.qencode.cdn.SignOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The golden tokens: every {@code sign} case of tests/conformance that expects
 * a token and loads its key from a file (as tests/c/gen_conformance.py
 * --golden picks them), for the tests that sign them with a key held
 * elsewhere (an {@code ExternalSigner} over {@code java.security}, SoftHSM2).
 */
record Golden(String name, String kid, String keyFile, String uri, SignOptions options, String token) {
    /** The golden cases a Java user can say (a case whose skip map names java is left out, as by the runner). */
    @SuppressWarnings("unchecked")
    static List<Golden> all() {
        List<Golden> out = new ArrayList<>();
        try {
            for (Map<String, Object> c : ConformanceTest.cases()) {
                Map<String, Object> i = (Map<String, Object>) c.get("input");
                Map<String, Object> expect = (Map<String, Object>) c.get("expect");
                Map<String, Object> signer = (Map<String, Object>) i.get("signer");
                Map<String, Object> skip = (Map<String, Object>) c.get("skip");
                if (!"sign".equals(c.get("op")) || !(expect.get("token") instanceof String token)
                        || !(signer.get("key") instanceof String file) || (skip != null && skip.containsKey("java"))) {
                    continue;
                }
                out.add(new Golden((String) c.get("name"), (String) signer.get("kid"), file, (String) i.get("uri"),
                        ConformanceTest.signOptions(i.get("options")), token));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Which RSA key of tests/keys the case signs with: "rsa2048" or "rsa4096". */
    String keyName() {
        String base = keyFile.substring(keyFile.lastIndexOf('/') + 1);
        return base.substring(0, base.indexOf('.'));
    }

    /** tests/keys/NAME.pkcs8.pem as a java.security private key. */
    static PrivateKey privateKey(String name) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem("tests/keys/" + name + ".pkcs8.pem")));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** tests/keys/NAME.spki.pem as a java.security public key. */
    static PublicKey publicKey(String name) {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(pem("tests/keys/" + name + ".spki.pem")));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pem(String file) {
        String body = TestSupport.text(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }
}
