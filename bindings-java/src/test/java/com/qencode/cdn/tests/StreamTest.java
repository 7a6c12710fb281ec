package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.BucketPolicy;
import com.qencode.cdn.Client;
import com.qencode.cdn.CookieOptions;
import com.qencode.cdn.DomainType;
import com.qencode.cdn.ErrorCode;
import com.qencode.cdn.InvalidArgumentException;
import com.qencode.cdn.InvalidArgumentTypeException;
import com.qencode.cdn.Signer;
import com.qencode.cdn.SigningKeyTarget;
import com.qencode.cdn.Stream;
import com.qencode.cdn.TransportException;
import com.qencode.cdn.testing.Emulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stream.coverage (manifest text in, no HTTP) and Stream.check against the
 * emulator process's live stream and storage folder with real media: the
 * core decides every verdict, the package converts.
 */
class StreamTest {
    static final String MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=165000\nmedia_0.m3u8\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=66000\nmedia_1.m3u8\n";
    static final String STORAGE = "https://my-bucket.media-storage.us-west.qencode.com/videos/intro/";

    static Emulator emu;
    static Signer streamSigner;
    static Signer bucketSigner;
    static String liveUrl;

    @BeforeAll
    static void start() {
        emu = Emulator.start();
        emu.addMediaStream("stream-j", "pid-j");
        emu.addMediaFolder("demo-bucket", "videos/intro/");
        try (Client client = emu.client()) {
            // The custom domain of the storage folder, as a user adds it.
            client.createDomain("media.example.com", DomainType.STORAGE);
            emu.mapStorageDomain("media.example.com", "demo-bucket");
            client.setBucketPolicy("demo-bucket", BucketPolicy.AUTHENTICATED);
            streamSigner = client.createSigningKey(SigningKeyTarget.stream("stream-j")).signer();
            bucketSigner = client.createSigningKey(SigningKeyTarget.bucket("demo-bucket")).signer();
        }
        // The emulator's plain port: the same URL over http.
        liveUrl = streamSigner.signedLiveUrl("pid-j").replaceFirst("^https://", "http://");
    }

    @AfterAll
    static void stop() {
        emu.close();
        streamSigner.close();
        bucketSigner.close();
    }

    static Signer localSigner() {
        return Signer.fromFile("key-1", TestSupport.path("tests/keys/rsa2048.pkcs1.pem"));
    }

    static Map<String, Object> opts(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> requests(Map<String, Object> report) {
        return (List<Map<String, Object>>) report.get("requests");
    }

    static List<Object> statuses(Map<String, Object> report) {
        List<Object> out = new ArrayList<>();
        for (Map<String, Object> r : requests(report)) {
            out.add(r.get("status"));
        }
        return out;
    }

    @Test
    void coverageOfAMasterPlaylistWithTheTokenInItsQuery() {
        String token;
        try (Signer s = localSigner()) {
            token = s.sign("videos/intro/");
        }
        Map<String, Object> report = Stream.coverage(STORAGE + "master.m3u8?auth=" + token, MASTER);
        assertEquals(false, report.get("ok"));
        assertEquals(false, report.get("fetched"));
        assertEquals("hls_master", report.get("format"));
        assertEquals(List.of("query_token_not_propagated"), report.get("findings"));
        List<String> seen = new ArrayList<>();
        for (Map<String, Object> r : requests(report)) {
            seen.add(r.get("kind") + " " + r.get("covered") + " " + r.get("status"));
        }
        assertEquals(List.of("master_playlist true null", "media_playlist false null", "media_playlist false null"),
                seen);
        assertEquals(STORAGE + "media_0.m3u8", requests(report).get(1).get("url"));
        assertTrue(((Map<?, ?>) report.get("advice")).containsKey("query_token_not_propagated"));
    }

    @Test
    void coverageWithTheFolderCookie() {
        String cookie;
        try (Signer s = localSigner()) {
            cookie = s.signedCookieHeader("videos/intro/", null, CookieOptions.builder().domain("example.com").build());
        }
        Map<String, Object> report = Stream.coverage("https://media.example.com/videos/intro/master.m3u8", MASTER,
                opts("cookie", cookie));
        assertEquals(true, report.get("ok"), () -> String.valueOf(report.get("findings")));
        for (Map<String, Object> r : requests(report)) {
            assertEquals("cookie", r.get("carrier"));
            assertEquals(true, r.get("covered"));
        }
    }

    @Test
    void coverageOptionsAreTheCores() {
        String url = STORAGE + "master.m3u8";
        assertEquals("storage", Stream.coverage(url, MASTER,
                opts("segments", 2, "stream", "storage", "now", Instant.ofEpochSecond(1_700_000_000L))).get("stream"));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Stream.coverage(url, MASTER, opts("segments", 0)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("segments"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> Stream.coverage(url, MASTER, opts("stream", "vod")));
        assertTrue(e.getMessage().contains("stream"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> Stream.coverage(url, MASTER, opts("segment", 2)));
        assertTrue(e.getMessage().contains("segment"), e.getMessage());
        assertThrows(InvalidArgumentTypeException.class, () -> Stream.coverage(url, MASTER, opts("segments", "2")));
        assertThrows(InvalidArgumentException.class, () -> Stream.coverage(url, "<html></html>"));
        assertThrows(InvalidArgumentException.class, () -> Stream.coverage(null, MASTER));
    }

    @Test
    void checkOfALiveStreamWithTheQueryToken() {
        String connect = "127.0.0.1:" + emu.port();
        Map<String, Object> plain = Stream.check(liveUrl, opts("connect_to", connect, "segments", 1, "timeout", 10));
        assertEquals(false, plain.get("ok"));
        assertEquals(true, plain.get("fetched"));
        assertEquals(List.of("query_token_not_propagated"), plain.get("findings"));
        List<Object> st = statuses(plain);
        assertEquals(200L, st.get(0));
        assertEquals(List.of(403L), List.copyOf(new java.util.LinkedHashSet<>(st.subList(1, st.size()))));

        // The request modifier of docs/streaming.md: every request carries the token.
        Map<String, Object> fixed = Stream.check(liveUrl, opts("connect_to", connect, "segments", 1,
                "propagate_token", true));
        assertEquals(true, fixed.get("ok"), () -> String.valueOf(fixed.get("findings")));
        int segments = 0;
        for (Map<String, Object> r : requests(fixed)) {
            assertEquals(200L, r.get("status"));
            segments += "media_segment".equals(r.get("kind")) ? 1 : 0;
        }
        assertEquals(2, segments);
    }

    @Test
    void checkOfALiveStreamWithATokenForAnotherStream() {
        String wrong = streamSigner.signUrl(liveUrl, "another-playback-id", null);
        Map<String, Object> report = Stream.check(wrong, opts("connect_to", "127.0.0.1:" + emu.port(),
                "segments", 1, "propagate_token", true));
        assertEquals(false, report.get("ok"));
        assertEquals(List.of("token_wrong_stream"), report.get("findings"));
        assertEquals(403L, statuses(report).get(0));
    }

    @Test
    void checkOfAStorageFolderWithTheSignedCookie() {
        String connect = "127.0.0.1:" + emu.port();
        CookieOptions plainHttp = CookieOptions.builder().domain("example.com").secure(false).build();
        for (String manifest : List.of("master.m3u8", "manifest.mpd")) {
            String url = "http://media.example.com/videos/intro/" + manifest;
            String cookie = bucketSigner.signedCookieHeader("videos/intro/", null, plainHttp);
            Map<String, Object> ok = Stream.check(url, opts("cookie", cookie, "connect_to", connect, "segments", 1));
            assertEquals(true, ok.get("ok"), () -> String.valueOf(ok.get("findings")));
            for (Map<String, Object> r : requests(ok)) {
                assertEquals(200L, r.get("status"));
                assertEquals("cookie", r.get("carrier"));
            }
            // A cookie for the one manifest file (its own path): the other requests go without it.
            String single = bucketSigner.signedCookieHeader("videos/intro/" + manifest, null,
                    CookieOptions.builder().domain("example.com").secure(false).path("/videos/intro/" + manifest).build());
            Map<String, Object> bad = Stream.check(url, opts("cookie", single, "connect_to", connect, "segments", 1));
            assertEquals(false, bad.get("ok"));
            assertEquals(List.of("cookie_single_file"), bad.get("findings"));
            List<Object> st = statuses(bad);
            assertEquals(200L, st.get(0));
            assertTrue(st.subList(1, st.size()).stream().allMatch(s -> s.equals(403L)), st::toString);
        }
    }

    @Test
    void checkErrors() {
        assertThrows(TransportException.class,
                () -> Stream.check(liveUrl, opts("connect_to", "127.0.0.1:1", "timeout", 5)));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Stream.check(liveUrl, opts("timeout", 0)));
        assertTrue(e.getMessage().contains("timeout"), e.getMessage());
        assertThrows(InvalidArgumentException.class, () -> Stream.check(liveUrl, opts("connect", "x")));
        assertThrows(InvalidArgumentException.class, () -> Stream.check("not a url"));
    }
}
