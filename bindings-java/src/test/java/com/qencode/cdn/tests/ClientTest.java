package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.ApiException;
import com.qencode.cdn.BucketPolicy;
import com.qencode.cdn.Client;
import com.qencode.cdn.DecodeException;
import com.qencode.cdn.Domain;
import com.qencode.cdn.DomainType;
import com.qencode.cdn.ErrorCode;
import com.qencode.cdn.InvalidArgumentException;
import com.qencode.cdn.NewSigningKey;
import com.qencode.cdn.NotFoundException;
import com.qencode.cdn.QencodeError;
import com.qencode.cdn.QencodeTimeoutException;
import com.qencode.cdn.RateLimitedException;
import com.qencode.cdn.Signer;
import com.qencode.cdn.SigningKey;
import com.qencode.cdn.SigningKeyTarget;
import com.qencode.cdn.TlsSubscription;
import com.qencode.cdn.TransportException;
import com.qencode.cdn.UnauthorizedException;
import com.qencode.cdn.Verifier;
import com.qencode.cdn.testing.Emulator;
import com.qencode.cdn.testing.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every client method against the emulator process, every HTTP error code, 8 threads, no secret shown. */
class ClientTest {
    static final String API_KEY = "java-secret-api-key-4f9c2b17";
    static Emulator emu;
    static Client client;
    /** Every message and toString() seen in this class, checked for the API key at the end. */
    static final List<String> SHOWN = new ArrayList<>();

    @BeforeAll
    static void start() {
        emu = Emulator.builder().apiKey(API_KEY).start();
        client = emu.client();
        SHOWN.add(client.toString());
        SHOWN.add(emu.clientBuilder().toString());
        SHOWN.add(emu.toString());
    }

    @AfterAll
    static void stop() {
        client.close();
        emu.close();
        assertFalse(emu.isRunning(), "close() stops the process");
        for (String s : SHOWN) {
            assertFalse(s.contains(API_KEY), () -> "the API key shows in: " + s);
            assertFalse(s.contains("PRIVATE KEY"), () -> "a private key shows in: " + s);
        }
    }

    @BeforeEach
    void reset() {
        emu.reset();
    }

    static <T extends Throwable> T fails(Class<T> type, Executable call) {
        T e = assertThrows(type, call);
        SHOWN.add(e.toString());
        SHOWN.add(String.valueOf(e.getMessage()));
        return e;
    }

    @Test
    void domains() {
        Domain live = client.createDomain("live.example.com", DomainType.LIVE);
        Domain storage = client.createDomain("media.example.com", DomainType.STORAGE);
        assertEquals("live.example.com", live.domainName());
        assertEquals(DomainType.LIVE, live.type());
        assertNotNull(live.id());
        assertEquals(live, client.getDomain(live.id()));
        assertEquals(List.of(live, storage), client.listDomains());
        assertEquals(List.of(storage), client.listDomains(DomainType.STORAGE));
        assertEquals(List.of(live), client.listDomains(DomainType.LIVE));
        assertEquals("live", live.toMap().get("type"));
        client.deleteDomain(live.id());
        NotFoundException e = fails(NotFoundException.class, () -> client.getDomain(live.id()));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertEquals(404, e.status().orElseThrow());
        ApiException dup = fails(ApiException.class, () -> client.createDomain("media.example.com", DomainType.STORAGE));
        assertEquals(ErrorCode.API_ERROR, dup.code());
        assertEquals(409, dup.status().orElseThrow());
        assertTrue(dup.body().isPresent());
        InvalidArgumentException bad = fails(InvalidArgumentException.class, () -> client.createDomain("not a domain", DomainType.LIVE));
        assertTrue(bad.status().isEmpty());
        fails(InvalidArgumentException.class, () -> client.createDomain("a.example.com", null));
    }

    @Test
    void tlsSubscriptions() {
        Domain d = client.createDomain("live.example.com", DomainType.LIVE);
        TlsSubscription t = client.createTlsSubscription(d.id());
        assertEquals(d.id(), t.domainId());
        assertEquals("pending", t.status());
        TlsSubscription got = client.getTlsSubscription(t.id());
        assertEquals(List.of(t.id(), t.domainId(), t.status()), List.of(got.id(), got.domainId(), got.status()));
        assertEquals(List.of(t.id()), client.listTlsSubscriptions().stream().map(TlsSubscription::id).toList());
        client.deleteTlsSubscription(t.id());
        assertEquals(List.of(), client.listTlsSubscriptions());
        fails(NotFoundException.class, () -> client.getTlsSubscription(t.id()));
    }

    @Test
    void signingKeysForAStreamADomainAndABucket() {
        emu.addStream("stream-1", "abc123");
        NewSigningKey k = client.createSigningKey(SigningKeyTarget.stream("stream-1"));
        assertEquals("stream-1", k.streamId());
        assertTrue(k.privateKey().contains("PRIVATE KEY"));
        assertTrue(k.toString().contains("privateKey=<redacted>"), k.toString());
        SHOWN.add(k.toString());
        SHOWN.add(k.signingKey().toString());
        try (Signer signer = k.signer(); Verifier verifier = Verifier.fromSigner(signer)) {
            assertEquals(k.id(), signer.keyId());
            assertEquals(2048, signer.keyBits());
            assertEquals("abc123", verifier.verify(signer.sign("abc123")).uri());
        }
        Domain d = client.createDomain("live.example.com", DomainType.LIVE);
        NewSigningKey kd = client.createSigningKey(SigningKeyTarget.domain(d.id()));
        assertEquals(d.id(), kd.domainId());
        NewSigningKey kb = client.createSigningKey(SigningKeyTarget.bucket("my-bucket"));
        assertEquals("my-bucket", kb.bucketName());

        SigningKey got = client.getSigningKey(k.id());
        assertEquals(k.signingKey(), got);
        assertFalse(got.toMap().containsKey("private_key"));
        assertEquals(3, client.listSigningKeys().size());
        SigningKey renamed = client.renameSigningKey(k.id(), "player key");
        assertEquals("player key", renamed.name());
        client.deleteSigningKey(k.id());
        fails(NotFoundException.class, () -> client.getSigningKey(k.id()));
        fails(InvalidArgumentException.class, () -> client.createSigningKey(null));
    }

    @Test
    void buckets() {
        client.setBucketPolicy("my-bucket", BucketPolicy.AUTHENTICATED);
        client.setBucketPolicy("my-bucket", BucketPolicy.PUBLIC);
        client.setBucketCors("my-bucket", Map.of("Access-Control-Allow-Origin", "*", "Access-Control-Max-Age", "600"));
        assertEquals(Map.of("Access-Control-Allow-Origin", "*", "Access-Control-Max-Age", "600"),
                client.getBucketCors("my-bucket"));
        client.deleteBucketCorsHeader("my-bucket", "Access-Control-Max-Age");
        assertEquals(Map.of("Access-Control-Allow-Origin", "*"), client.getBucketCors("my-bucket"));
        client.deleteBucketCors("my-bucket");
        assertEquals(Map.of(), client.getBucketCors("my-bucket"));
        fails(ApiException.class, () -> client.setBucketCors("my-bucket", Map.of("X-Not-Cors", "1")));
        client.purgeBucketCache("my-bucket");
        client.purgeObjectCache("my-bucket", "videos/a.mp4");
        fails(InvalidArgumentException.class, () -> client.setBucketPolicy("my-bucket", null));
        Map<String, Object> counters = emu.counters();
        assertFalse(counters.isEmpty());
    }

    @Test
    void everyHttpFailureHasItsCodeAndNoSecret() {
        emu.injectFault(Fault.status("GET /v1/domains", 429).retryAfter(7));
        try (Client c = emu.clientBuilder().maxRetries(0).build()) {
            RateLimitedException e = fails(RateLimitedException.class, c::listDomains);
            assertEquals(Duration.ofSeconds(7), e.retryAfter().orElseThrow());
            assertEquals(429, e.status().orElseThrow());

            emu.injectFault(Fault.status("GET /v1/domains", 500));
            assertEquals(500, fails(ApiException.class, c::listDomains).status().orElseThrow());

            emu.injectFault(Fault.drop("GET /v1/domains").times(1));
            fails(TransportException.class, c::listDomains);

            emu.injectFault(Fault.notJson("GET /v1/domains"));
            fails(DecodeException.class, c::listDomains);
        }
        emu.injectFault(Fault.delay("GET /v1/domains", Duration.ofSeconds(3)));
        try (Client c = emu.clientBuilder().timeout(Duration.ofMillis(300)).maxRetries(0).build()) {
            assertTrue(fails(QencodeTimeoutException.class, c::listDomains).status().isEmpty());
        }
        emu.injectFault(Fault.status("GET /v1/domains", 503).times(1));
        assertEquals(List.of(), client.listDomains(), "a 503 is retried");

        try (Client wrong = Client.builder("not-" + API_KEY).apiUrl(emu.url()).authUrl(emu.url()).build()) {
            UnauthorizedException e = fails(UnauthorizedException.class, wrong::listDomains);
            assertEquals(401, e.status().orElseThrow());
            SHOWN.add(wrong.toString());
        }
        try (Client nowhere = Client.builder(API_KEY).apiUrl("http://127.0.0.1:1").authUrl("http://127.0.0.1:1")
                .maxRetries(0).build()) {
            fails(TransportException.class, nowhere::listDomains);
        }
        fails(InvalidArgumentException.class, () -> emu.injectFault(Map.of("route", "*", "kind", "boom")));
        fails(InvalidArgumentException.class, () -> Client.builder(API_KEY).maxRetries(11).build());
        fails(InvalidArgumentException.class, () -> Client.builder(API_KEY).timeout(Duration.ZERO).build());
        fails(InvalidArgumentException.class, () -> Client.builder(API_KEY).apiUrl("not a url").build());
        fails(InvalidArgumentException.class, () -> Client.builder("").build());
        fails(InvalidArgumentException.class, () -> Client.builder(null));
    }

    @Test
    void eightThreadsShareOneClient() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        Set<String> ids = ConcurrentHashMap.newKeySet();
        List<Future<?>> jobs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int n = t;
            jobs.add(pool.submit(() -> {
                go.await();
                Domain d = client.createDomain("t" + n + ".example.com", DomainType.LIVE);
                ids.add(d.id());
                assertEquals(d, client.getDomain(d.id()));
                client.listDomains();
                return null;
            }));
        }
        go.countDown();
        for (Future<?> j : jobs) {
            j.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(8, ids.size());
        assertEquals(8, client.listDomains().size());
    }

    @Test
    void aClosedClientRefusesCallsAndTheEnvironmentClientNamesTheVariable() {
        Client c = emu.client();
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, c::listDomains);
        assertTrue(c.toString().contains("closed"));
        if (System.getenv("QENCODE_API_KEY") == null) {
            QencodeError e = fails(InvalidArgumentException.class, Client::fromEnv);
            assertTrue(e.getMessage().contains("QENCODE_API_KEY"), e.getMessage());
        }
    }
}
