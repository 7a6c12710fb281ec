package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.InvalidArgumentException;
import com.qencode.cdn.InvalidKeyException;
import com.qencode.cdn.SignRequest;
import com.qencode.cdn.SignResult;
import com.qencode.cdn.Signer;
import com.qencode.cdn.Verifier;
import com.qencode.cdn.VerifyOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signer.fromPkcs11 against a real HSM implementation, SoftHSM2. The tokens
 * live in a SOFTHSM2_CONF of their own in target/softhsm (never the system's),
 * made here with softhsm2-util before the module is first loaded in this JVM:
 * {@code qcdn-test} holds tests/keys/rsa2048 as {@code video-key} and rsa4096
 * as {@code video-key-4096}; {@code locked} is never logged into (the wrong
 * PIN). The module is $QCDN_SOFTHSM_MODULE or
 * /usr/lib/softhsm/libsofthsm2.so; without SoftHSM2 this test fails (the
 * suite installs it).
 */
class Pkcs11Test {
    static final String PIN = "1234";
    static final String TOKEN = "qcdn-test";
    static String module;

    @BeforeAll
    static void tokens() throws Exception {
        String env = System.getenv("QCDN_SOFTHSM_MODULE");
        module = env != null && !env.isEmpty() ? env : "/usr/lib/softhsm/libsofthsm2.so";
        assertTrue(Files.exists(Path.of(module)), module + " is missing: install SoftHSM2 (apt-get install softhsm2)");
        Path dir = Path.of("target", "softhsm").toAbsolutePath(); // (failsafe runs in bindings-java/)
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                old.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        Path tokens = dir.resolve("tokens");
        Files.createDirectories(tokens);
        Path conf = dir.resolve("softhsm2.conf");
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        Map<String, String> env2 = Map.of("SOFTHSM2_CONF", conf.toString());
        for (String token : List.of(TOKEN, "locked")) {
            run(env2, "softhsm2-util", "--init-token", "--free", "--label", token, "--pin", PIN, "--so-pin", "5678");
        }
        run(env2, "softhsm2-util", "--import", TestSupport.path("tests/keys/rsa2048.pkcs8.pem").toString(),
                "--token", TOKEN, "--label", "video-key", "--id", "01", "--pin", PIN);
        run(env2, "softhsm2-util", "--import", TestSupport.path("tests/keys/rsa4096.pkcs8.pem").toString(),
                "--token", TOKEN, "--label", "video-key-4096", "--id", "02", "--pin", PIN);
        run(env2, "softhsm2-util", "--import", TestSupport.path("tests/keys/rsa2048.pkcs8.pem").toString(),
                "--token", "locked", "--label", "k", "--id", "03", "--pin", PIN);
        // The module reads SOFTHSM2_CONF when the library first initialises it in this process.
        TestSupport.setEnv("SOFTHSM2_CONF", conf.toString());
    }

    private static void run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    static Signer hsm(String label, String kid) {
        return Signer.fromPkcs11(module, TOKEN, label, PIN, kid);
    }

    @Test
    void aWrongPinAndMissingPartsAreInvalidKeyWithoutThePin() {
        // `locked` was never logged into in this process (PKCS#11 login is per token and process).
        InvalidKeyException wrongPin = assertThrows(InvalidKeyException.class,
                () -> Signer.fromPkcs11(module, "locked", "k", "0000".toCharArray(), "k"));
        assertFalse(wrongPin.getMessage().contains("0000"), wrongPin.getMessage());
        InvalidKeyException noKey = assertThrows(InvalidKeyException.class, () -> hsm("no-such-key", "k"));
        assertFalse(noKey.getMessage().contains(PIN), noKey.getMessage());
        assertTrue(noKey.getMessage().contains("no-such-key"), noKey.getMessage());
        assertThrows(InvalidKeyException.class, () -> Signer.fromPkcs11(module, "no-such-token", "video-key", PIN, "k"));
        assertThrows(InvalidKeyException.class, () -> Signer.fromPkcs11("/no/such/module.so", TOKEN, "video-key", PIN, "k"));
        assertThrows(InvalidArgumentException.class, () -> hsm("video-key", ""));
        assertThrows(InvalidArgumentException.class, () -> Signer.fromPkcs11(module, TOKEN, "video-key", "12\u000034", "k"));
    }

    @Test
    void theGoldenTokensByteForByte() {
        List<Golden> golden = Golden.all();
        assertTrue(golden.size() >= 30, "the golden cases are found: " + golden.size());
        Map<String, Signer> signers = new LinkedHashMap<>();
        try {
            for (Golden g : golden) {
                String label = switch (g.keyName()) {
                    case "rsa2048" -> "video-key";
                    case "rsa4096" -> "video-key-4096";
                    default -> throw new AssertionError(g.name() + ": no HSM key for " + g.keyFile() + " (import it above)");
                };
                Signer s = signers.computeIfAbsent(g.kid() + "|" + label, k -> hsm(label, g.kid()));
                assertEquals(g.token(), s.sign(g.uri(), g.options()), g.name());
            }
        } finally {
            signers.values().forEach(Signer::close);
        }
    }

    @Test
    void oneHsmSignerServesThreadsBatchesAndACache() throws Exception {
        try (Signer s = hsm("video-key", "key-1"); Verifier v = Verifier.fromSigner(s)) {
            assertTrue(s.isExternal());
            assertEquals(2048, s.keyBits());
            assertTrue(s.toString().contains("key-1") && !s.toString().contains(PIN), s.toString());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int n = t;
                    jobs.add(pool.submit(() -> {
                        for (int i = 0; i < 3; i++) {
                            assertEquals("videos/" + n + "/" + i + "/",
                                    v.verify(s.sign("videos/" + n + "/" + i + "/"), VerifyOptions.builder().build()).uri());
                        }
                        return null;
                    }));
                }
                for (Future<?> j : jobs) {
                    j.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdown();
            }
            List<SignResult> batch = s.signMany(List.of(SignRequest.of("a/"), SignRequest.of("/bad"), SignRequest.of("c/")), 2);
            assertTrue(batch.get(0).isOk() && !batch.get(1).isOk() && batch.get(2).isOk());
            try (Signer cached = s.cached(Duration.ofDays(1))) {
                assertEquals(cached.sign("videos/a/"), cached.sign("videos/a/"));
                assertEquals(1, cached.cachedTokens());
            }
        }
    }
}
