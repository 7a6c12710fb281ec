package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.CacheOptions;
import com.qencode.cdn.ErrorCode;
import com.qencode.cdn.InvalidArgumentException;
import com.qencode.cdn.InvalidArgumentTypeException;
import com.qencode.cdn.QencodeError;
import com.qencode.cdn.SignOptions;
import com.qencode.cdn.SignRequest;
import com.qencode.cdn.SignResult;
import com.qencode.cdn.Signer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the Java API adds to batches and the cache: SignRequest/SignResult, the Duration window, CacheOptions. */
class ScaleTest {
    static final SignOptions AT = SignOptions.builder().now(Instant.ofEpochSecond(1_700_000_000)).build();
    static Signer signer;

    @BeforeAll
    static void load() {
        signer = Signer.fromPem("key-1", TestSupport.text("tests/keys/rsa2048.pkcs1.pem"));
    }

    @AfterAll
    static void close() {
        signer.close();
    }

    @Test
    void aBatchGivesWhatSignGivesItemByItem() {
        List<SignRequest> items = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            items.add(SignRequest.of("videos/" + i + "/", AT));
        }
        items.add(SignRequest.of("videos/default-options/"));
        items.add(new SignRequest("/bad", AT));
        items.add(SignRequest.of("videos/null-lifetime/", SignOptions.builder().expiresIn(null).build()));
        for (List<SignResult> results : List.of(signer.signMany(items), signer.signMany(items, 1), signer.signMany(items, 3))) {
            assertEquals(items.size(), results.size());
            for (int i = 0; i < 40; i++) {
                assertEquals(signer.sign("videos/" + i + "/", AT), results.get(i).token());
            }
            assertTrue(results.get(40).isOk());
            SignResult bad = results.get(41);
            assertFalse(bad.isOk());
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, bad::token);
            assertSame(e, bad.error().orElseThrow());
            assertTrue(e.getMessage().contains("/bad"), e.getMessage());
            assertTrue(results.get(42).error().orElseThrow() instanceof InvalidArgumentTypeException, "type_error kept");
            assertEquals("SignResult[ok]", results.get(0).toString(), "never the token");
            assertEquals(Optional.empty(), results.get(0).error());
        }
        assertEquals(List.of(), signer.signMany(List.of()));
    }

    @Test
    void aBatchThatIsWrongAsAWholeThrows() {
        assertThrows(InvalidArgumentException.class, () -> signer.signMany(null));
        assertThrows(InvalidArgumentException.class, () -> signer.signMany(Arrays.asList(SignRequest.of("a/"), null)));
        assertThrows(InvalidArgumentException.class, () -> signer.signMany(List.of(SignRequest.of("a/")), 0));
        assertThrows(InvalidArgumentException.class, () -> signer.signMany(List.of(SignRequest.of("a/")), -1));
        assertThrows(InvalidArgumentException.class, () -> signer.signMany(List.of(SignRequest.of(null))),
                "an item without a uri fails the call (the core's rule)");
    }

    @Test
    void theCacheTakesAWholeSecondsDuration() {
        try (Signer cached = signer.cached(Duration.ofMinutes(5))) {
            assertEquals(Optional.of(Duration.ofMinutes(5)), cached.cacheWindow());
            assertEquals(Optional.empty(), signer.cacheWindow());
            String a = cached.signedLiveUrl("abc123");
            assertEquals(a, cached.signedLiveUrl("abc123"), "one window, one token");
            assertEquals(1, cached.cachedTokens());
            assertEquals(0, signer.cachedTokens(), "the original stays uncached");
            assertTrue(cached.sign("x", AT).startsWith("ey"));
            assertEquals(1, cached.cachedTokens(), "a pinned clock is not cached by default");
            assertEquals(cached.signMany(List.of(SignRequest.of("abc123"))).get(0).token(),
                    cached.sign("abc123"), "batches go through the cache");
        }
        try (Signer pinned = signer.cached(Duration.ofSeconds(60), CacheOptions.builder().capacity(10).cachePinnedClock(true).build())) {
            assertEquals(pinned.sign("x", AT), pinned.sign("x", AT));
            assertEquals(1, pinned.cachedTokens());
        }
        for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(1500), Duration.ofSeconds(-60), Duration.ofDays(2),
                Duration.ofSeconds(1L << 40))) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> signer.cached(bad), bad.toString());
            assertEquals(ErrorCode.INVALID_ARGUMENT, ((QencodeError) e).code());
        }
        assertThrows(InvalidArgumentException.class, () -> signer.cached(null));
        assertThrows(InvalidArgumentException.class, () -> CacheOptions.builder().capacity(0));
    }
}
