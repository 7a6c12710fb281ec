package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.SignOptions;
import com.qencode.cdn.Signer;
import com.qencode.cdn.Verifier;
import com.qencode.cdn.VerifyOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One Signer and one Verifier shared by 8 threads; close() racing with calls never crashes or frees twice. */
class ThreadsTest {
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);

    @Test
    void eightThreadsSignAndVerifyWithOneSignerTheSameTokensAsOneThread() throws Exception {
        try (Signer signer = Signer.fromPem("key-1", TestSupport.text("tests/keys/rsa2048.pkcs1.pem"));
             Verifier verifier = Verifier.fromSigner(signer)) {
            SignOptions opts = SignOptions.builder().now(NOW).build();
            VerifyOptions at = VerifyOptions.builder().now(NOW).build();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                expected.add(signer.sign("videos/" + i + "/", opts));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> jobs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                jobs.add(pool.submit(() -> {
                    go.await();
                    int ok = 0;
                    for (int n = 0; n < 50; n++) {
                        int i = (n + offset * 7) % 50;
                        String token = signer.sign("videos/" + i + "/", opts);
                        assertEquals(expected.get(i), token);
                        assertEquals("videos/" + i + "/", verifier.verify(token, at).uri());
                        ok++;
                    }
                    return ok;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> j : jobs) {
                total += j.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(400, total);
        }
    }

    @Test
    void closingWhileEightThreadsSignEndsCleanly() throws Exception {
        Signer signer = Signer.fromPem("key-1", TestSupport.text("tests/keys/rsa2048.pkcs1.pem"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger signed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(8);
        List<Future<?>> jobs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            jobs.add(pool.submit(() -> {
                started.countDown();
                for (int n = 0; n < 10_000; n++) {
                    try {
                        assertTrue(signer.sign("x").startsWith("ey"));
                        signed.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        refused.incrementAndGet();
                        return null;
                    }
                }
                return null;
            }));
        }
        started.await();
        Thread.sleep(50);
        signer.close();
        for (Future<?> j : jobs) {
            j.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(signed.get() > 0, "signing ran before close()");
        assertEquals(8, refused.get(), "every thread saw the signer closed, none crashed");
    }
}
