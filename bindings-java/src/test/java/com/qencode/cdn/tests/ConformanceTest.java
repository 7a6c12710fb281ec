package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.qencode.cdn.ApiException;
import com.qencode.cdn.BucketPolicy;
import com.qencode.cdn.CacheOptions;
import com.qencode.cdn.Client;
import com.qencode.cdn.CookieOptions;
import com.qencode.cdn.DecodedToken;
import com.qencode.cdn.Domain;
import com.qencode.cdn.DomainType;
import com.qencode.cdn.Explanation;
import com.qencode.cdn.InvalidArgumentException;
import com.qencode.cdn.NewSigningKey;
import com.qencode.cdn.QencodeError;
import com.qencode.cdn.Resource;
import com.qencode.cdn.SameSite;
import com.qencode.cdn.SignOptions;
import com.qencode.cdn.SignRequest;
import com.qencode.cdn.SignResult;
import com.qencode.cdn.Signer;
import com.qencode.cdn.SigningKey;
import com.qencode.cdn.SigningKeyTarget;
import com.qencode.cdn.TlsSubscription;
import com.qencode.cdn.Tokens;
import com.qencode.cdn.Urls;
import com.qencode.cdn.VerifiedToken;
import com.qencode.cdn.Verifier;
import com.qencode.cdn.VerifyOptions;
import com.qencode.cdn.testing.Emulator;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.TestAbortedException;

/**
 * Every case of tests/conformance/*.json (see its README) through the public
 * Java API, called as a Java user calls it: options through the
 * {@link SignOptions}, {@link VerifyOptions}, {@link CookieOptions} and
 * {@link Client.Builder} builders with {@code Duration}s and {@code Instant}s
 * (a JSON {@code null} is a {@code null} given to the builder, an absent key a
 * method not called), enums for domain types and policies, typed results
 * turned back into the API's JSON with {@code toMap()}.
 *
 * <p>One dynamic test per case; a case is skipped only when its {@code skip}
 * map names {@code java}. The summary line of the README is printed at the
 * end and checked by the suite with {@code tests/conformance/check-summary}.
 */
class ConformanceTest {
    private static final String LANGUAGE = "java";
    private static final AtomicInteger PASSED = new AtomicInteger();
    private static final AtomicInteger SKIPPED = new AtomicInteger();
    private static final AtomicInteger FAILED = new AtomicInteger();
    private static final List<String> SKIP_LINES = new ArrayList<>();
    private static final Map<String, Signer> SIGNERS = new HashMap<>();
    private static int total;
    private static Emulator emulator;

    /** Thrown when a case's input cannot be said through the Java API (counted as a failure). */
    static final class Unexpressible extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unexpressible(String message) {
            super(message);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(TestSupport.path("tests/conformance"), "*.json")) {
            dir.forEach(files::add);
        }
        files.sort(null);
        List<Map<String, Object>> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path f : files) {
            Map<String, Object> doc = TestSupport.parseObject(Files.readString(f));
            for (Object c : (List<Object>) doc.get("cases")) {
                Map<String, Object> m = (Map<String, Object>) c;
                assertTrue(names.add((String) m.get("name")), "case names are unique: " + m.get("name"));
                out.add(m);
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyCase() throws IOException {
        List<Map<String, Object>> cases = cases();
        total = cases.size();
        return cases.stream().map(c -> DynamicTest.dynamicTest((String) c.get("name"), () -> runCase(c)));
    }

    @AfterAll
    static void summary() {
        for (Signer s : SIGNERS.values()) {
            s.close();
        }
        if (emulator != null) {
            emulator.close();
        }
        // (a line of its own: the build tool may have written escape codes before the first line)
        System.out.println();
        System.out.printf("conformance: %s: %d cases, %d passed, %d skipped, %d failed%n", LANGUAGE, total,
                PASSED.get(), SKIPPED.get(), FAILED.get());
        synchronized (SKIP_LINES) {
            SKIP_LINES.forEach(System.out::println);
        }
        System.out.flush();
    }

    @SuppressWarnings("unchecked")
    private static void runCase(Map<String, Object> c) {
        String name = (String) c.get("name");
        Map<String, Object> skip = (Map<String, Object>) c.get("skip");
        if (skip != null && skip.get(LANGUAGE) instanceof String reason) {
            SKIPPED.incrementAndGet();
            synchronized (SKIP_LINES) {
                SKIP_LINES.add("  skipped " + name + ": " + reason);
            }
            Assumptions.abort(reason);
        }
        try {
            check(c);
            PASSED.incrementAndGet();
        } catch (TestAbortedException e) {
            throw e;
        } catch (Throwable t) {
            FAILED.incrementAndGet();
            throw t;
        }
    }

    @SuppressWarnings("unchecked")
    private static void check(Map<String, Object> c) {
        Map<String, Object> want = (Map<String, Object>) c.get("expect");
        Map<String, Object> got;
        try {
            got = produce(c);
        } catch (Unexpressible e) {
            throw e;
        } catch (RuntimeException e) {
            if (!(e instanceof QencodeError err)) {
                throw e;
            }
            if (!want.containsKey("error")) {
                fail("expected success, got " + e, e);
                return;
            }
            checkError(want, err, e);
            return;
        }
        if (want.containsKey("error")) {
            fail("expected error " + want.get("error") + ", got success " + got);
        }
        checkSuccess(want, got);
    }

    private static void checkError(Map<String, Object> want, QencodeError err, RuntimeException e) {
        assertEquals(want.get("error"), err.code().name(), () -> "the error code of " + e);
        if (want.containsKey("status")) {
            Object status = want.get("status");
            if (status == null) {
                assertTrue(err.status().isEmpty(), () -> "expected no HTTP status: " + e);
            } else {
                assertEquals(((Number) status).intValue(), err.status().orElse(-1), () -> "HTTP status of " + e);
            }
        }
        if (want.containsKey("retry_after")) {
            Duration expected = Duration.ofSeconds(((Number) want.get("retry_after")).longValue());
            assertTrue(e instanceof ApiException, () -> "retry_after on a non-API error " + e);
            assertEquals(expected, ((ApiException) e).retryAfter().orElse(null), "retryAfter()");
        }
        if (want.containsKey("type_error")) {
            boolean typeError = Boolean.TRUE.equals(want.get("type_error"));
            assertTrue(e instanceof InvalidArgumentException, () -> "type_error on " + e);
            assertEquals(typeError, ((InvalidArgumentException) e).isTypeError(), () -> "isTypeError() of " + e);
        }
        if (want.get("message_contains") instanceof List<?> parts) {
            for (Object part : parts) {
                assertTrue(e.getMessage().contains((String) part),
                        () -> "the message does not contain `" + part + "`: " + e.getMessage());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void checkSuccess(Map<String, Object> want, Map<String, Object> got) {
        for (Map.Entry<String, Object> w : want.entrySet()) {
            String key = w.getKey();
            if (key.equals("detail_contains")) {
                Map<String, Object> details = (Map<String, Object>) got.get("details");
                for (Map.Entry<String, Object> d : ((Map<String, Object>) w.getValue()).entrySet()) {
                    String detail = Objects.toString(details.get(d.getKey()), "");
                    assertTrue(detail.contains((String) d.getValue()),
                            () -> "detail of `" + d.getKey() + "` is `" + detail + "`, which lacks `" + d.getValue() + "`");
                }
            } else if (key.equals("same")) {
                List<Object> labels = (List<Object>) w.getValue();
                List<Object> tokens = (List<Object>) got.get("tokens");
                assertEquals(labels.size(), tokens.size(), "one token per request");
                for (int a = 0; a < labels.size(); a++) {
                    for (int b = 0; b < labels.size(); b++) {
                        boolean sameLabel = labels.get(a).equals(labels.get(b));
                        boolean sameToken = Objects.equals(tokens.get(a), tokens.get(b));
                        int x = a;
                        int y = b;
                        assertEquals(sameLabel, sameToken, () -> "requests " + x + " and " + y + ": labels "
                                + labels.get(x) + " and " + labels.get(y) + " but the tokens "
                                + (sameToken ? "are equal" : "differ"));
                    }
                }
            } else if (key.equals("cached_at_most")) {
                long n = (Long) got.get("cached_tokens");
                assertTrue(n <= (Long) w.getValue(), () -> "the cache holds " + n + " tokens, more than " + w.getValue());
            } else if (key.equals("result")) {
                assertTrue(contains(got.get("result"), w.getValue()),
                        () -> "result " + got.get("result") + " does not contain " + w.getValue());
            } else {
                assertTrue(got.containsKey(key), () -> "`" + key + "` was not produced");
                assertEquals(w.getValue(), got.get(key), () -> "`" + key + "`");
            }
        }
    }

    /** Objects by their members (extra members allowed), arrays element by element, else equal. */
    @SuppressWarnings("unchecked")
    static boolean contains(Object got, Object want) {
        if (want instanceof Map<?, ?> w) {
            if (!(got instanceof Map<?, ?> g)) {
                return false;
            }
            for (Map.Entry<?, ?> e : w.entrySet()) {
                if (!g.containsKey(e.getKey()) || !contains(g.get(e.getKey()), e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (want instanceof List<?> w) {
            if (!(got instanceof List<?> g) || g.size() != w.size()) {
                return false;
            }
            for (int i = 0; i < w.size(); i++) {
                if (!contains(g.get(i), w.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(got, want);
    }

    // Building blocks

    /** A key spec: a file path (its bytes), {"text": …} or {"base64": …}. */
    @SuppressWarnings("unchecked")
    private static Signer loadSigner(String kid, Object spec) {
        if (spec instanceof String file) {
            return Signer.fromKey(kid, TestSupport.bytes(file));
        }
        Map<String, Object> m = (Map<String, Object>) spec;
        if (m.containsKey("text")) {
            return Signer.fromPem(kid, (String) m.get("text"));
        }
        return Signer.fromKey(kid, Base64.getDecoder().decode((String) m.get("base64")));
    }

    @SuppressWarnings("unchecked")
    private static Signer signer(Object spec) {
        Map<String, Object> m = (Map<String, Object>) spec;
        String cacheKey = new TreeSet<>(m.keySet()) + "|" + m.get("kid") + "|" + m.get("key");
        synchronized (SIGNERS) {
            Signer s = SIGNERS.get(cacheKey);
            if (s == null) {
                s = loadSigner((String) m.get("kid"), m.get("key"));
                SIGNERS.put(cacheKey, s);
            }
            return s;
        }
    }

    @SuppressWarnings("unchecked")
    private static Verifier verifier(Object spec) {
        Map<String, Object> m = (Map<String, Object>) spec;
        if (m.containsKey("public_key")) {
            Object key = m.get("public_key");
            if (key instanceof String file) {
                return Verifier.fromPublicKey(TestSupport.bytes(file));
            }
            Map<String, Object> k = (Map<String, Object>) key;
            if (k.containsKey("text")) {
                return Verifier.fromPublicKey((String) k.get("text"));
            }
            return Verifier.fromPublicKey(Base64.getDecoder().decode((String) k.get("base64")));
        }
        if (m.containsKey("jwk")) {
            return Verifier.fromJwk((String) m.get("jwk"));
        }
        if (m.containsKey("jwks")) {
            return Verifier.fromJwks((String) m.get("jwks"));
        }
        if (m.containsKey("keys")) {
            // (kid, key) pairs as a Java user holds them: PEM text, base64 of DER bytes.
            List<Map.Entry<String, String>> pairs = new ArrayList<>();
            for (Object k : (List<Object>) m.get("keys")) {
                Map<String, Object> pair = (Map<String, Object>) k;
                pairs.add(Map.entry((String) pair.get("kid"), keyText(pair.get("key"))));
            }
            return Verifier.fromKeys(pairs);
        }
        if (m.containsKey("signer")) {
            return Verifier.fromSigner(signer(m.get("signer")));
        }
        throw new Unexpressible("verifier " + m.keySet() + ": the runner knows no such verifier");
    }

    /** A key spec as the text a Java user passes to Verifier.fromKeys: a text file's text, base64 of a DER file or of raw bytes. */
    @SuppressWarnings("unchecked")
    private static String keyText(Object spec) {
        if (spec instanceof String file) {
            byte[] b = TestSupport.bytes(file);
            return file.endsWith(".der") ? Base64.getEncoder().encodeToString(b) : new String(b, StandardCharsets.UTF_8);
        }
        Map<String, Object> m = (Map<String, Object>) spec;
        if (m.containsKey("text")) {
            return (String) m.get("text");
        }
        return (String) m.get("base64");
    }

    /** Seconds (JSON) as the Duration a Java user passes: 600 is ofSeconds(600), 1.5 is ofMillis(1500). */
    static Duration duration(Object v, String what) {
        if (v == null) {
            return null;
        }
        if (v instanceof Long n) {
            return Duration.ofSeconds(n);
        }
        if (v instanceof Double d) {
            BigDecimal s = new BigDecimal(d.toString());
            BigDecimal whole = new BigDecimal(s.toBigInteger());
            return Duration.ofSeconds(whole.longValueExact(), s.subtract(whole).movePointRight(9).longValueExact());
        }
        throw new Unexpressible(what + " = " + v + ": a Duration cannot hold this");
    }

    /** Unix seconds (JSON) as the Instant a Java user passes. */
    static Instant instant(Object v, String what) {
        if (v == null) {
            return null;
        }
        if (v instanceof Long n) {
            return Instant.ofEpochSecond(n);
        }
        throw new Unexpressible(what + " = " + v + ": an Instant of whole seconds cannot hold this");
    }

    @SuppressWarnings("unchecked")
    static SignOptions signOptions(Object spec) {
        Map<String, Object> m = spec == null ? Map.of() : (Map<String, Object>) spec;
        SignOptions.Builder b = SignOptions.builder();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "expires_in" -> b.expiresIn(duration(v, "expires_in"));
                case "expires_at" -> b.expiresAt(instant(v, "expires_at"));
                case "not_before" -> b.notBefore(instant(v, "not_before"));
                case "now" -> b.now(instant(v, "now"));
                case "claims" -> {
                    if (v != null && !(v instanceof Map)) {
                        throw new Unexpressible("claims = " + v + ": claims are a Map");
                    }
                    b.claims((Map<String, Object>) v);
                }
                case "never_expires" -> {
                    if (!Boolean.TRUE.equals(v)) {
                        throw new Unexpressible("never_expires = " + v + ": neverExpires() takes no argument");
                    }
                    b.neverExpires();
                }
                default -> throw new Unexpressible("sign option `" + e.getKey() + "` has no builder method");
            }
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    static VerifyOptions verifyOptions(Object spec) {
        Map<String, Object> m = spec == null ? Map.of() : (Map<String, Object>) spec;
        VerifyOptions.Builder b = VerifyOptions.builder();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "key_id" -> b.keyId((String) v);
                case "leeway" -> b.leeway(duration(v, "leeway"));
                case "now" -> b.now(instant(v, "now"));
                case "resource" -> {
                    Map<String, Object> r = (Map<String, Object>) v;
                    if (r == null) {
                        b.resource(null);
                    } else if ("live".equals(r.get("kind"))) {
                        b.resource(Resource.live((String) r.get("playback_id")));
                    } else if ("storage".equals(r.get("kind"))) {
                        b.resource(Resource.storage((String) r.get("key")));
                    } else {
                        throw new Unexpressible("resource " + r + ": a Resource is live or storage");
                    }
                }
                default -> throw new Unexpressible("verify option `" + e.getKey() + "` has no builder method");
            }
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    static CookieOptions cookieOptions(Object spec) {
        Map<String, Object> m = spec == null ? Map.of() : (Map<String, Object>) spec;
        CookieOptions.Builder b = CookieOptions.builder();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "domain" -> b.domain((String) v);
                case "path" -> b.path((String) v);
                case "same_site" -> b.sameSite(sameSite((String) v));
                case "secure" -> b.secure((Boolean) v);
                case "http_only" -> b.httpOnly((Boolean) v);
                default -> throw new Unexpressible("cookie option `" + e.getKey() + "` has no builder method");
            }
        }
        return b.build();
    }

    private static SameSite sameSite(String v) {
        for (SameSite s : SameSite.values()) {
            if (s.attribute().equalsIgnoreCase(v)) {
                return s;
            }
        }
        throw new Unexpressible("same_site `" + v + "` is no SameSite constant");
    }

    private static Map<String, Object> explanation(Explanation e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", e.ok());
        out.put("checks", e.checks().stream().map(c -> c.name() + ":" + (c.passed() ? "ok" : "FAIL")).toList());
        Map<String, Object> details = new LinkedHashMap<>();
        e.checks().forEach(c -> details.put(c.name(), c.detail()));
        out.put("details", details);
        out.put("warnings", e.warnings().stream().map(w -> w.code()).toList());
        return out;
    }

    private static Map<String, Object> one(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, value);
        return m;
    }

    /** Runs the case's operation through the Java API; returns what it produced (or throws). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> produce(Map<String, Object> c) {
        Map<String, Object> i = (Map<String, Object>) c.get("input");
        String op = (String) c.get("op");
        Map<String, Object> args = (Map<String, Object>) i.getOrDefault("args", Map.of());
        switch (op) {
            case "load_key": {
                try (Signer s = loadSigner((String) i.get("kid"), i.get("key"))) {
                    Map<String, Object> out = one("bits", (long) s.keyBits());
                    out.put("public_key_pem", s.publicKeyPem());
                    out.put("public_key_jwk", TestSupport.parse(s.publicKeyJwk()));
                    return out;
                }
            }
            case "sign":
                return one("token", signer(i.get("signer")).sign((String) i.get("uri"), signOptions(i.get("options"))));
            case "signed_url": {
                Signer s = signer(i.get("signer"));
                SignOptions o = signOptions(i.get("options"));
                String url = switch ((String) i.get("form")) {
                    case "live" -> s.signedLiveUrl((String) args.get("playback_id"), o);
                    case "live_custom_domain" -> s.signedLiveCustomDomainUrl((String) args.get("domain"),
                            (String) args.get("playback_id"), o);
                    case "storage" -> s.signedStorageUrl((String) args.get("bucket"), (String) args.get("region"),
                            (String) args.get("key"), o);
                    case "storage_custom_domain" -> s.signedStorageCustomDomainUrl((String) args.get("domain"),
                            (String) args.get("key"), o);
                    default -> throw new Unexpressible("form " + i.get("form"));
                };
                return one("url", url);
            }
            case "url": {
                String token = (String) i.get("token");
                String url = switch ((String) i.get("form")) {
                    case "live" -> Urls.livePlaybackUrl((String) args.get("playback_id"), token);
                    case "live_custom_domain" -> Urls.liveCustomDomainUrl((String) args.get("domain"),
                            (String) args.get("playback_id"), token);
                    case "storage" -> Urls.storageUrl((String) args.get("bucket"), (String) args.get("region"),
                            (String) args.get("key"), token);
                    case "storage_custom_domain" -> Urls.storageCustomDomainUrl((String) args.get("domain"),
                            (String) args.get("key"), token);
                    default -> throw new Unexpressible("form " + i.get("form"));
                };
                return one("url", url);
            }
            case "cookie":
                return one("set_cookie", signer(i.get("signer")).signedCookieHeader((String) i.get("uri"),
                        signOptions(i.get("options")), cookieOptions(i.get("cookie"))));
            case "verify": {
                try (Verifier v = verifier(i.get("verifier"))) {
                    VerifiedToken t = v.verify((String) i.get("token"), verifyOptions(i.get("options")));
                    Map<String, Object> out = one("kid", t.keyId());
                    out.put("claims", t.claims());
                    return out;
                }
            }
            case "explain": {
                try (Verifier v = verifier(i.get("verifier"))) {
                    return explanation(v.explain((String) i.get("url"), verifyOptions(i.get("options"))));
                }
            }
            case "explain_token": {
                try (Verifier v = verifier(i.get("verifier"))) {
                    return explanation(v.explainToken((String) i.get("token"), verifyOptions(i.get("options"))));
                }
            }
            case "audit":
                return one("warnings", Tokens.audit((String) i.get("token"), instant(i.get("now"), "now")).stream()
                        .map(w -> w.code()).toList());
            case "decode": {
                DecodedToken d = Tokens.decodeUnverified((String) i.get("token"));
                Map<String, Object> out = one("header", d.header());
                out.put("claims", d.claims());
                return out;
            }
            case "from_env":
                return withEnv((Map<String, Object>) i.get("env"), () -> {
                    try (Signer s = i.containsKey("key_id") ? Signer.fromEnv((String) i.get("key_id")) : Signer.fromEnv()) {
                        Map<String, Object> out = one("kid", s.keyId());
                        out.put("bits", (long) s.keyBits());
                        return out;
                    }
                });
            case "client_from_env":
                return withEnv((Map<String, Object>) i.get("env"), () -> {
                    Client.fromEnv().close();
                    return one("ok", true);
                });
            case "client":
                return client(i);
            case "jwks": {
                try (Verifier v = verifier(i.get("verifier"))) {
                    return one("jwks", TestSupport.parse(v.jwks()));
                }
            }
            case "sign_many": {
                Signer s = signer(i.get("signer"));
                List<SignRequest> items = new ArrayList<>();
                for (Object item : (List<Object>) i.get("items")) {
                    Map<String, Object> r = (Map<String, Object>) item;
                    items.add(r.containsKey("options") ? SignRequest.of((String) r.get("uri"), signOptions(r.get("options")))
                            : SignRequest.of((String) r.get("uri")));
                }
                List<SignResult> results = i.containsKey("threads")
                        ? s.signMany(items, ((Long) i.get("threads")).intValue()) : s.signMany(items);
                Batch out = new Batch();
                for (SignResult r : results) {
                    if (r.isOk()) {
                        out.token(r.token());
                    } else {
                        out.error(r.error().orElseThrow());
                    }
                }
                return out.toMap();
            }
            case "cached_sign": {
                CacheOptions.Builder o = CacheOptions.builder().cachePinnedClock(true);
                if (i.containsKey("capacity")) {
                    o.capacity((Long) i.get("capacity"));
                }
                try (Signer cached = signer(i.get("signer")).cached(duration(i.get("window"), "window"), o.build())) {
                    Batch out = new Batch();
                    for (Object request : (List<Object>) i.get("requests")) {
                        Map<String, Object> r = (Map<String, Object>) request;
                        try {
                            out.token(cached.sign((String) r.get("uri"), signOptions(r.get("options"))));
                        } catch (Unexpressible e) {
                            throw e;
                        } catch (RuntimeException e) {
                            out.error(e);
                        }
                    }
                    Map<String, Object> m = out.toMap();
                    m.put("cached_tokens", cached.cachedTokens());
                    return m;
                }
            }
            case "stream_coverage":
                // The options map as a Java user passes it (the core reads it).
                return streamProjection(com.qencode.cdn.Stream.coverage((String) i.get("manifest_url"),
                        (String) i.get("manifest_text"), (Map<String, Object>) i.get("options")));
            default:
                throw new Unexpressible("the Java runner has no operation `" + op + "`");
        }
    }

    /** A stream report as the cases write it: ok, format, findings, [kind, carrier, covered, finding] per request. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> streamProjection(Map<String, Object> report) {
        List<Object> requests = new ArrayList<>();
        for (Object r : (List<Object>) report.get("requests")) {
            Map<String, Object> m = (Map<String, Object>) r;
            // (an ArrayList: carrier and finding may be null)
            requests.add(new ArrayList<>(Arrays.asList(m.get("kind"), m.get("carrier"), m.get("covered"),
                    m.get("finding"))));
        }
        Map<String, Object> out = one("ok", report.get("ok"));
        out.put("format", report.get("format"));
        out.put("findings", report.get("findings"));
        out.put("requests", requests);
        return out;
    }

    /** The results of a batch as the cases write them: tokens (null for an error), errors (null for a token), exps. */
    static final class Batch {
        final List<Object> tokens = new ArrayList<>();
        final List<Object> errors = new ArrayList<>();
        final List<Object> exps = new ArrayList<>();

        void token(String token) {
            tokens.add(token);
            errors.add(null);
            exps.add(Tokens.decodeUnverified(token).claims().get("exp"));
        }

        void error(RuntimeException e) {
            if (!(e instanceof QencodeError err)) {
                throw e;
            }
            tokens.add(null);
            errors.add(err.code().name());
            exps.add(null);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = one("tokens", tokens);
            m.put("errors", errors);
            m.put("exps", exps);
            return m;
        }
    }

    interface Call {
        Map<String, Object> run();
    }

    /** Sets exactly the listed variables (null unsets, {"file"} a file's text) around {@code fn}. */
    @SuppressWarnings("unchecked")
    private static synchronized Map<String, Object> withEnv(Map<String, Object> env, Call fn) {
        Map<String, String> saved = new LinkedHashMap<>();
        for (String k : env.keySet()) {
            saved.put(k, TestSupport.getEnv(k));
        }
        try {
            for (Map.Entry<String, Object> e : env.entrySet()) {
                Object v = e.getValue();
                if (v instanceof Map<?, ?> f) {
                    TestSupport.setEnv(e.getKey(), TestSupport.text((String) ((Map<String, Object>) f).get("file")));
                } else {
                    TestSupport.setEnv(e.getKey(), (String) v);
                }
            }
            return fn.run();
        } finally {
            saved.forEach(TestSupport::setEnv);
        }
    }

    private static synchronized Emulator emulator() {
        if (emulator == null) {
            emulator = Emulator.start();
        }
        return emulator;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> client(Map<String, Object> i) {
        Emulator emu = emulator();
        emu.reset();
        for (Object f : (List<Object>) i.getOrDefault("faults", List.of())) {
            emu.injectFault((Map<String, Object>) f);
        }
        Client.Builder b = emu.clientBuilder();
        Map<String, Object> options = (Map<String, Object>) i.getOrDefault("options", Map.of());
        for (Map.Entry<String, Object> e : options.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "timeout" -> b.timeout(duration(v, "timeout"));
                case "connect_timeout" -> b.connectTimeout(duration(v, "connect_timeout"));
                case "deadline" -> b.deadline(duration(v, "deadline"));
                case "max_retries" -> b.maxRetries(((Long) v).intValue());
                default -> throw new Unexpressible("client option `" + e.getKey() + "` has no builder method");
            }
        }
        try (Client client = b.build()) {
            for (Object step : (List<Object>) i.getOrDefault("setup", List.of())) {
                Map<String, Object> s = (Map<String, Object>) step;
                call(client, (String) s.get("call"), (Map<String, Object>) s.get("args"));
            }
            return one("result", call(client, (String) i.get("call"), (Map<String, Object>) i.get("args")));
        }
    }

    private static DomainType domainType(Object v) {
        if (v == null) {
            return null;
        }
        for (DomainType t : DomainType.values()) {
            if (t.apiName().equals(v)) {
                return t;
            }
        }
        throw new Unexpressible("domain type `" + v + "` is no DomainType constant");
    }

    private static final Map<String, Object> OK = Map.of("status", "ok");

    /** One DESIGN §4 call with the case's named arguments; the result as the API's JSON. */
    @SuppressWarnings("unchecked")
    static Object call(Client c, String call, Map<String, Object> a) {
        Set<String> allowed = switch (call) {
            case "create_domain" -> Set.of("name", "type");
            case "list_domains" -> Set.of("type");
            case "get_domain", "delete_domain", "get_tls_subscription", "delete_tls_subscription", "get_signing_key",
                 "delete_signing_key" -> Set.of("id");
            case "create_tls_subscription" -> Set.of("domain_id");
            case "list_tls_subscriptions", "list_signing_keys" -> Set.of();
            case "create_signing_key" -> Set.of("stream", "domain", "bucket");
            case "rename_signing_key" -> Set.of("id", "name");
            case "set_bucket_policy" -> Set.of("bucket", "policy");
            case "set_bucket_cors" -> Set.of("bucket", "headers");
            case "get_bucket_cors", "delete_bucket_cors", "purge_bucket_cache" -> Set.of("bucket");
            case "delete_bucket_cors_header" -> Set.of("bucket", "header");
            case "purge_object_cache" -> Set.of("bucket", "path");
            default -> throw new Unexpressible("no client call `" + call + "`");
        };
        for (String k : a.keySet()) {
            if (!allowed.contains(k)) {
                throw new Unexpressible(call + ": the runner does not map the argument `" + k + "`");
            }
        }
        String id = (String) a.get("id");
        String bucket = (String) a.get("bucket");
        switch (call) {
            case "create_domain":
                return c.createDomain((String) a.get("name"), domainType(a.get("type"))).toMap();
            case "get_domain":
                return c.getDomain(id).toMap();
            case "list_domains":
                return c.listDomains(domainType(a.get("type"))).stream().map(Domain::toMap).toList();
            case "delete_domain":
                c.deleteDomain(id);
                return OK;
            case "create_tls_subscription":
                return c.createTlsSubscription((String) a.get("domain_id")).toMap();
            case "get_tls_subscription":
                return c.getTlsSubscription(id).toMap();
            case "list_tls_subscriptions":
                return c.listTlsSubscriptions().stream().map(TlsSubscription::toMap).toList();
            case "delete_tls_subscription":
                c.deleteTlsSubscription(id);
                return OK;
            case "create_signing_key": {
                SigningKeyTarget t = a.containsKey("stream") ? SigningKeyTarget.stream((String) a.get("stream"))
                        : a.containsKey("domain") ? SigningKeyTarget.domain((String) a.get("domain"))
                        : SigningKeyTarget.bucket((String) a.get("bucket"));
                NewSigningKey k = c.createSigningKey(t);
                return k.toMap();
            }
            case "get_signing_key":
                return c.getSigningKey(id).toMap();
            case "list_signing_keys":
                return c.listSigningKeys().stream().map(SigningKey::toMap).toList();
            case "rename_signing_key":
                return c.renameSigningKey(id, (String) a.get("name")).toMap();
            case "delete_signing_key":
                c.deleteSigningKey(id);
                return OK;
            case "set_bucket_policy":
                c.setBucketPolicy(bucket, BucketPolicy.valueOf(((String) a.get("policy")).toUpperCase(Locale.ROOT)));
                return OK;
            case "set_bucket_cors":
                c.setBucketCors(bucket, (Map<String, String>) a.get("headers"));
                return OK;
            case "get_bucket_cors":
                return new LinkedHashMap<String, Object>(c.getBucketCors(bucket));
            case "delete_bucket_cors":
                c.deleteBucketCors(bucket);
                return OK;
            case "delete_bucket_cors_header":
                c.deleteBucketCorsHeader(bucket, (String) a.get("header"));
                return OK;
            case "purge_bucket_cache":
                c.purgeBucketCache(bucket);
                return OK;
            case "purge_object_cache":
                c.purgeObjectCache(bucket, (String) a.get("path"));
                return OK;
            default:
                throw new Unexpressible("no client call `" + call + "`");
        }
    }
}
