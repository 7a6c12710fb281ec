package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.CookieOptions;
import com.qencode.cdn.ErrorCode;
import com.qencode.cdn.ExternalSigner;
import com.qencode.cdn.InvalidArgumentException;
import com.qencode.cdn.InvalidKeyException;
import com.qencode.cdn.PreparedToken;
import com.qencode.cdn.QencodeError;
import com.qencode.cdn.SignOptions;
import com.qencode.cdn.SignRequest;
import com.qencode.cdn.SignResult;
import com.qencode.cdn.Signer;
import com.qencode.cdn.SignerFailedException;
import com.qencode.cdn.Verifier;
import com.qencode.cdn.VerifyOptions;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Signer.external with an ExternalSigner over java.security (the JDK's own
 * RSA): the golden tokens byte for byte; every broken signer a
 * SignerFailedException with its message and cause, never a token; threads
 * and batches sharing one; the ExternalSigner released exactly once, when the
 * last signer sharing it is freed; the two-phase prepare/finish.
 */
class ExternalSignerTest {
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);
    static final SignOptions AT = SignOptions.builder().now(NOW).build();
    static final String PEM_2048 = TestSupport.text("tests/keys/rsa2048.pkcs1.pem");
    static final String SPKI_2048 = TestSupport.text("tests/keys/rsa2048.spki.pem");

    /** RS256 with the JDK's provider: an ExternalSigner as a user writes one. */
    static ExternalSigner jdk(PrivateKey key) {
        return input -> {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(input);
            return s.sign();
        };
    }

    /** An ExternalSigner that counts its calls and its release. */
    static final class Counting implements ExternalSigner {
        final ExternalSigner inner;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();

        Counting(ExternalSigner inner) {
            this.inner = inner;
        }

        @Override
        public byte[] sign(byte[] signingInput) throws Exception {
            calls.incrementAndGet();
            return inner.sign(signingInput);
        }

        @Override
        public void released() {
            released.incrementAndGet();
        }
    }

    @Test
    void theGoldenTokensByteForByteFromTheJdksRsa() {
        List<Golden> golden = Golden.all();
        assertTrue(golden.size() >= 30, "the golden cases are found: " + golden.size());
        Map<String, Signer> signers = new LinkedHashMap<>();
        try {
            for (Golden g : golden) {
                Signer s = signers.computeIfAbsent(g.kid() + "|" + g.keyName(),
                        k -> Signer.external(g.kid(), Golden.publicKey(g.keyName()), jdk(Golden.privateKey(g.keyName()))));
                assertTrue(s.isExternal());
                assertEquals(g.token(), s.sign(g.uri(), g.options()), g.name());
            }
        } finally {
            signers.values().forEach(Signer::close);
        }
    }

    @Test
    void theSameTokensAsALocalSignerForEveryForm() {
        try (Signer local = Signer.fromPem("key-1", PEM_2048);
             Signer ext = Signer.external("key-1", SPKI_2048, jdk(Golden.privateKey("rsa2048")))) {
            assertEquals(local.sign("videos/a/", AT), ext.sign("videos/a/", AT));
            assertEquals(local.signedLiveUrl("abc123", AT), ext.signedLiveUrl("abc123", AT));
            assertEquals(local.signedStorageUrl("my-bucket", "us-west", "videos/a.mp4", AT),
                    ext.signedStorageUrl("my-bucket", "us-west", "videos/a.mp4", AT));
            assertEquals(local.signedCookieHeader("videos/a/", AT, CookieOptions.builder().domain("example.com").build()),
                    ext.signedCookieHeader("videos/a/", AT, CookieOptions.builder().domain("example.com").build()));
            assertEquals(local.signedCookie("videos/a/", AT, null), ext.signedCookie("videos/a/", AT, null));
            assertEquals(local.publicKeyJwk(), ext.publicKeyJwk());
            assertEquals(2048, ext.keyBits());
            assertFalse(local.isExternal());
            try (Verifier v = Verifier.fromSigner(ext)) {
                assertEquals("key-1", v.verify(ext.sign("x"), VerifyOptions.builder().build()).keyId());
            }
            assertFalse(ext.toString().contains("PRIVATE"), ext.toString());
        }
    }

    @Test
    void thePublicKeyInEveryFormAJavaUserHasIt() throws Exception {
        ExternalSigner sign = jdk(Golden.privateKey("rsa2048"));
        String expected;
        try (Signer local = Signer.fromPem("key-1", PEM_2048)) {
            expected = local.sign("x", AT);
        }
        for (Supplier<Signer> make : List.<Supplier<Signer>>of(
                () -> Signer.external("key-1", SPKI_2048, sign),
                () -> Signer.external("key-1", TestSupport.bytes("tests/keys/rsa2048.spki.der"), sign),
                () -> Signer.external("key-1", Golden.publicKey("rsa2048"), sign))) {
            try (Signer s = make.get()) {
                assertEquals(expected, s.sign("x", AT));
            }
        }
    }

    /** The broken ExternalSigners: each gives SIGNER_FAILED on every signing call, never a token. */
    static Map<String, ExternalSigner> broken() throws GeneralSecurityException {
        PrivateKey key = Golden.privateKey("rsa2048");
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        PrivateKey other = g.generateKeyPair().getPrivate();
        Map<String, ExternalSigner> m = new LinkedHashMap<>();
        m.put("throws a checked exception", input -> {
            throw new IOException("KMS: throttled");
        });
        m.put("throws a RuntimeException", input -> {
            throw new IllegalStateException("the KMS client is closed");
        });
        m.put("throws an Error", input -> {
            throw new AssertionError("broken");
        });
        m.put("throws an exception whose toString throws", input -> {
            throw new IOException("x") {
                private static final long serialVersionUID = 1L;

                @Override
                public String toString() {
                    throw new IllegalStateException("toString");
                }
            };
        });
        m.put("throws with a huge message holding NUL and non-ASCII", input -> {
            throw new IOException("é\0€".repeat(5000));
        });
        m.put("throws with a null message", input -> {
            throw new IOException();
        });
        m.put("returns null", input -> null);
        m.put("returns no bytes", input -> new byte[0]);
        m.put("returns too few bytes", input -> Arrays.copyOf(jdk(key).sign(input), 255));
        m.put("returns more bytes than the buffer holds", input -> new byte[5000]);
        m.put("returns garbage of the right length", input -> {
            byte[] sig = jdk(key).sign(input);
            sig[100] ^= 1;
            return sig;
        });
        m.put("signs with another key", jdk(other));
        m.put("signs with PSS instead of PKCS#1 v1.5", input -> {
            Signature s = Signature.getInstance("RSASSA-PSS");
            s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            s.initSign(key);
            s.update(input);
            return s.sign();
        });
        m.put("signs another input", input -> jdk(key).sign("eyJ.eyJ".getBytes()));
        return m;
    }

    @Test
    void everyBrokenSignerIsSignerFailedWithItsMessageAndCauseNeverAToken() throws Exception {
        for (Map.Entry<String, ExternalSigner> b : broken().entrySet()) {
            String what = b.getKey();
            Counting counting = new Counting(b.getValue());
            try (Signer s = Signer.external("key-1", SPKI_2048, counting)) {
                List<Runnable> calls = List.of(
                        () -> s.sign("videos/a/"),
                        () -> s.signedLiveUrl("abc123"),
                        () -> s.signedStorageCustomDomainUrl("cdn.example.com", "videos/a.mp4"),
                        () -> s.signUrl("https://example.com/a.mp4", "a.mp4", null),
                        () -> s.signedCookieHeader("videos/a/", null, null),
                        () -> s.signedCookie("videos/a/", null, null));
                for (Runnable call : calls) {
                    SignerFailedException e = assertThrows(SignerFailedException.class, call::run, what);
                    assertEquals(ErrorCode.SIGNER_FAILED, e.code(), what);
                    assertTrue(e.getMessage().startsWith("SIGNER_FAILED: "), e.getMessage());
                    assertTrue(e.getMessage().length() < 2000, what + ": the message is bounded");
                    checkCause(what, e);
                }
                List<SignResult> batch = s.signMany(List.of(SignRequest.of("a/"), SignRequest.of("b/")), 2);
                for (SignResult r : batch) {
                    assertFalse(r.isOk(), what);
                    assertEquals(ErrorCode.SIGNER_FAILED, ((QencodeError) r.error().orElseThrow()).code(), what);
                    assertThrows(SignerFailedException.class, r::token, what);
                }
                assertEquals(calls.size() + 2, counting.calls.get(), what + ": called once per signature");
            }
            assertEquals(1, counting.released.get(), what + ": released once");
        }
    }

    private static void checkCause(String what, SignerFailedException e) {
        String m = e.getMessage();
        switch (what) {
            case "throws a checked exception" -> {
                assertTrue(e.getCause() instanceof IOException, what);
                assertTrue(m.contains("java.io.IOException: KMS: throttled"), m);
            }
            case "throws a RuntimeException" -> {
                assertTrue(e.getCause() instanceof IllegalStateException, what);
                assertTrue(m.contains("the KMS client is closed"), m);
            }
            case "throws an Error" -> {
                assertTrue(e.getCause() instanceof AssertionError, what);
                assertTrue(m.contains("java.lang.AssertionError: broken"), m);
            }
            case "throws an exception whose toString throws" -> assertTrue(e.getCause() instanceof IOException, what);
            case "throws with a huge message holding NUL and non-ASCII" -> {
                assertTrue(e.getCause() instanceof IOException, what);
                assertTrue(m.contains("é?€é?€"), m);
            }
            case "throws with a null message" -> {
                assertTrue(e.getCause() instanceof IOException, what);
                assertTrue(m.contains("java.io.IOException"), m);
            }
            case "returns null" -> {
                assertNull(e.getCause(), what);
                assertTrue(m.contains("returned null"), m);
            }
            default -> assertNull(e.getCause(), what + ": nothing was thrown, so no cause");
        }
    }

    @Test
    void aCauseBelongsToItsCallOnly() {
        AtomicInteger n = new AtomicInteger();
        ExternalSigner failsEveryOther = input -> {
            if (n.getAndIncrement() % 2 == 0) {
                throw new IOException("call " + n.get());
            }
            return jdk(Golden.privateKey("rsa2048")).sign(input);
        };
        try (Signer s = Signer.external("key-1", SPKI_2048, failsEveryOther)) {
            SignerFailedException first = assertThrows(SignerFailedException.class, () -> s.sign("a/"));
            assertTrue(first.getCause().getMessage().equals("call 1"), first.getCause().getMessage());
            assertTrue(s.sign("b/").startsWith("ey"));
            SignerFailedException third = assertThrows(SignerFailedException.class, () -> s.sign("c/"));
            assertEquals("call 3", third.getCause().getMessage());
        }
    }

    @Test
    void eightThreadsAndBatchesShareOneExternalSigner() throws Exception {
        Counting counting = new Counting(jdk(Golden.privateKey("rsa2048")));
        try (Signer local = Signer.fromPem("key-1", PEM_2048); Signer ext = Signer.external("key-1", SPKI_2048, counting)) {
            List<String> expected = new ArrayList<>();
            List<SignRequest> items = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                expected.add(local.sign("videos/" + i + "/", AT));
                items.add(SignRequest.of("videos/" + i + "/", AT));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> jobs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int offset = t;
                    jobs.add(pool.submit(() -> {
                        go.await();
                        for (int n = 0; n < 24; n++) {
                            int i = (n + offset * 5) % 24;
                            assertEquals(expected.get(i), ext.sign("videos/" + i + "/", AT));
                        }
                        // a batch on 4 threads from each of the 8: the ExternalSigner runs on the batch's threads
                        List<SignResult> batch = ext.signMany(items, 4);
                        for (int i = 0; i < 24; i++) {
                            assertEquals(expected.get(i), batch.get(i).token());
                        }
                        return 1;
                    }));
                }
                go.countDown();
                for (Future<Integer> j : jobs) {
                    assertEquals(1, j.get(300, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(8 * 24 * 2, counting.calls.get(), "one call per signature");
        }
        assertEquals(1, counting.released.get());
    }

    @Test
    void releasedExactlyOnceWhenTheLastSignerSharingItIsFreed() {
        Counting counting = new Counting(jdk(Golden.privateKey("rsa2048")));
        Signer ext = Signer.external("key-1", SPKI_2048, counting);
        Signer cached = ext.cached(java.time.Duration.ofMinutes(5));
        assertTrue(cached.isExternal());
        ext.close();
        ext.close();
        assertEquals(0, counting.released.get(), "the cached signer still shares the ExternalSigner");
        assertThrows(IllegalStateException.class, () -> ext.sign("a/"));
        String a = cached.sign("videos/a/");
        assertEquals(a, cached.sign("videos/a/"), "one window, one token");
        assertEquals(1, counting.calls.get(), "the second request came from the cache");
        cached.close();
        assertEquals(1, counting.released.get(), "released when the last signer was closed");
        cached.close();
        assertEquals(1, counting.released.get(), "exactly once");
    }

    @Test
    void aSignerThatCannotBeMadeLeavesTheExternalSignerUnreleased() {
        Counting counting = new Counting(input -> new byte[256]);
        assertThrows(InvalidKeyException.class, () -> Signer.external("key-1", "not a key", counting));
        assertThrows(InvalidArgumentException.class, () -> Signer.external("", SPKI_2048, counting));
        assertThrows(InvalidArgumentException.class, () -> Signer.external("key-1", SPKI_2048, (ExternalSigner) null));
        assertEquals(0, counting.released.get(), "on failure the ExternalSigner stays the caller's");
        assertEquals(0, counting.calls.get());
    }

    @Test
    void theLibraryKeepsTheExternalSignerReachableAndTheCleanerReleasesIt() throws Exception {
        AtomicInteger released = new AtomicInteger();
        Signer cached = cachedOnly(released);
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(10);
        }
        // The external Signer object is gone (and its native signer freed by the Cleaner); the cached one
        // still signs through the same ExternalSigner, which nothing but the library references.
        assertTrue(cached.sign("videos/b/").startsWith("ey"));
        assertEquals(0, released.get());
        dropped(released);
        for (int i = 0; i < 200 && released.get() < 1; i++) {
            System.gc();
            Thread.sleep(25);
        }
        assertEquals(1, released.get(), "an unreachable external signer is released by the Cleaner");
        cached.close();
        assertEquals(2, released.get());
    }

    private static Signer cachedOnly(AtomicInteger released) {
        ExternalSigner sign = jdk(Golden.privateKey("rsa2048"));
        return Signer.external("key-1", SPKI_2048, new ExternalSigner() {
            @Override
            public byte[] sign(byte[] input) throws Exception {
                return sign.sign(input);
            }

            @Override
            public void released() {
                released.addAndGet(1);
            }
        }).cached(java.time.Duration.ofSeconds(60));
    }

    private static void dropped(AtomicInteger released) {
        ExternalSigner sign = jdk(Golden.privateKey("rsa2048"));
        Signer s = Signer.external("key-1", SPKI_2048, new ExternalSigner() {
            @Override
            public byte[] sign(byte[] input) throws Exception {
                return sign.sign(input);
            }

            @Override
            public void released() {
                released.addAndGet(1);
            }
        });
        assertTrue(s.sign("videos/a/").startsWith("ey"));
    }

    @Test
    void prepareAndFinishGiveTheTokenOfSign() throws Exception {
        PrivateKey key = Golden.privateKey("rsa2048");
        try (Signer signer = Signer.fromPem("key-1", PEM_2048); Signer other = Signer.fromPem("key-2", PEM_2048)) {
            PreparedToken p = signer.prepare("videos/a/", AT);
            assertEquals(p.signingInputText(), new String(p.signingInput(), java.nio.charset.StandardCharsets.US_ASCII));
            assertSame(signer, p.signer());
            byte[] sig = jdk(key).sign(p.signingInput());
            assertEquals(signer.sign("videos/a/", AT), p.finish(sig));
            assertEquals(signer.sign("videos/a/", AT), signer.finish(p, sig));

            // async, as with a KMS client returning a CompletableFuture
            ExecutorService kms = Executors.newSingleThreadExecutor();
            try {
                String token = CompletableFuture.supplyAsync(() -> signer.prepare("videos/b/", AT))
                        .thenCompose(prepared -> CompletableFuture.supplyAsync(() -> {
                            try {
                                return jdk(key).sign(prepared.signingInput());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }, kms).thenApply(prepared::finish))
                        .get(60, TimeUnit.SECONDS);
                assertEquals(signer.sign("videos/b/", AT), token);
            } finally {
                kms.shutdown();
            }

            byte[] bad = sig.clone();
            bad[7] ^= 1;
            assertThrows(SignerFailedException.class, () -> p.finish(bad));
            assertThrows(SignerFailedException.class, () -> p.finish(Arrays.copyOf(sig, 100)));
            assertThrows(SignerFailedException.class, () -> signer.finish(signer.prepare("videos/c/", AT), sig),
                    "a signature of another input");
            assertThrows(InvalidArgumentException.class, () -> other.finish(p, sig), "prepared by another key id");
            assertThrows(InvalidArgumentException.class, () -> signer.prepare("/videos/a/", AT), "the checks of sign");
            assertTrue(p.toString().startsWith("PreparedToken[keyId=key-1"), p.toString());
        }
    }
}
