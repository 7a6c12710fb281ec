package com.qencode.cdn;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A blocking client of the Qencode Content Delivery management API, one per
 * API key.
 *
 * <pre>{@code
 * try (Client client = Client.builder(apiKey).build()) {
 *     Domain d = client.createDomain("live.example.com", DomainType.LIVE);
 * }
 * }</pre>
 *
 * <p>The Rust core does the work: it fetches, caches and renews the access
 * token (one renewal at a time), retries with backoff and jitter on
 * connection errors, 429 ({@code Retry-After} honoured) and 502/503/504 for
 * requests that are safe to repeat, never sends a create twice unless the
 * server cannot have seen it, keeps one deadline per call, and always
 * verifies TLS against the system's trust store.
 *
 * <p><b>Threads:</b> thread-safe; share one client between any number of
 * threads. Every call blocks the calling thread until the API answers
 * (bounded by the timeouts and the deadline). {@link #close()} frees the
 * native client once no call is running; a {@link Cleaner} frees one that
 * was never closed.
 *
 * <p>The API key and access tokens never appear in an exception or in
 * {@link #toString()}.
 */
public final class Client implements AutoCloseable {
    /** The production management API. */
    public static final String DEFAULT_API_URL = "https://api-cdn.qencode.com";
    /** The production access-token API. */
    public static final String DEFAULT_AUTH_URL = "https://api-live.qencode.com";

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final String description;

    private Client(Pointer ptr, String description) {
        this.handle = new Handle(ptr, Lib::qcdn_client_free, "Client");
        this.cleanable = Handle.CLEANER.register(this, handle);
        this.description = description;
    }

    /** A builder for a client of {@code apiKey}. */
    public static Builder builder(String apiKey) {
        if (apiKey == null) {
            throw new InvalidArgumentException("apiKey is null (Client.fromEnv() reads QENCODE_API_KEY)");
        }
        return new Builder(apiKey);
    }

    /** A builder whose API key is read from {@code QENCODE_API_KEY} (trimmed) by {@link Builder#build()}. */
    public static Builder builderFromEnv() {
        return new Builder(null);
    }

    /**
     * A client for the API key in {@code QENCODE_API_KEY} (trimmed; unset or
     * blank is an {@link InvalidArgumentException} naming the variable), with
     * every default.
     */
    public static Client fromEnv() {
        return builderFromEnv().build();
    }

    // Domains

    /** Adds a custom playback domain. */
    public Domain createDomain(String name, DomainType type) {
        byte[] n = CStrings.of(name, "name");
        int t = type == null ? 0 : type.number;
        return Domain.fromMap(object((p, out) -> Lib.qcdn_client_create_domain(p, n, t, out)));
    }

    /** One domain by id. */
    public Domain getDomain(String id) {
        byte[] i = CStrings.of(id, "id");
        return Domain.fromMap(object((p, out) -> Lib.qcdn_client_get_domain(p, i, out)));
    }

    /** Every domain. */
    public List<Domain> listDomains() {
        return listDomains(null);
    }

    /** The domains of one type ({@code null}: all). */
    public List<Domain> listDomains(DomainType type) {
        int t = type == null ? 0 : type.number;
        return list((p, out) -> Lib.qcdn_client_list_domains(p, t, out), Domain::fromMap);
    }

    /** Deletes a domain. */
    public void deleteDomain(String id) {
        byte[] i = CStrings.of(id, "id");
        NativeCall.run(handle, (p, out) -> Lib.qcdn_client_delete_domain(p, i, out));
    }

    // TLS subscriptions

    /** Orders a managed TLS certificate for a domain. */
    public TlsSubscription createTlsSubscription(String domainId) {
        byte[] i = CStrings.of(domainId, "domainId");
        return TlsSubscription.fromMap(object((p, out) -> Lib.qcdn_client_create_tls_subscription(p, i, out)));
    }

    /** One TLS subscription by id. */
    public TlsSubscription getTlsSubscription(String id) {
        byte[] i = CStrings.of(id, "id");
        return TlsSubscription.fromMap(object((p, out) -> Lib.qcdn_client_get_tls_subscription(p, i, out)));
    }

    /** Every TLS subscription. */
    public List<TlsSubscription> listTlsSubscriptions() {
        return list(Lib::qcdn_client_list_tls_subscriptions, TlsSubscription::fromMap);
    }

    /** Deletes a TLS subscription. */
    public void deleteTlsSubscription(String id) {
        byte[] i = CStrings.of(id, "id");
        NativeCall.run(handle, (p, out) -> Lib.qcdn_client_delete_tls_subscription(p, i, out));
    }

    // Signing keys

    /**
     * Creates a signing key for a stream, a domain or a bucket. The result
     * holds the private key; the API never returns it again.
     */
    public NewSigningKey createSigningKey(SigningKeyTarget target) {
        if (target == null) {
            throw new InvalidArgumentException("target is null (SigningKeyTarget.stream/domain/bucket)");
        }
        int k = target.kind().number;
        byte[] t = CStrings.of(target.id(), "target");
        return NewSigningKey.fromMap(object((p, out) -> Lib.qcdn_client_create_signing_key(p, k, t, out)));
    }

    /** One signing key by id (without its private key). */
    public SigningKey getSigningKey(String id) {
        byte[] i = CStrings.of(id, "id");
        return SigningKey.fromMap(object((p, out) -> Lib.qcdn_client_get_signing_key(p, i, out)));
    }

    /** Every signing key (without private keys). */
    public List<SigningKey> listSigningKeys() {
        return list(Lib::qcdn_client_list_signing_keys, SigningKey::fromMap);
    }

    /** Gives a signing key a name for people. */
    public SigningKey renameSigningKey(String id, String name) {
        byte[] i = CStrings.of(id, "id");
        byte[] n = CStrings.of(name, "name");
        return SigningKey.fromMap(object((p, out) -> Lib.qcdn_client_rename_signing_key(p, i, n, out)));
    }

    /** Deletes a signing key: tokens signed with it stop working. */
    public void deleteSigningKey(String id) {
        byte[] i = CStrings.of(id, "id");
        NativeCall.run(handle, (p, out) -> Lib.qcdn_client_delete_signing_key(p, i, out));
    }

    // Buckets

    /** Sets a bucket's access policy. */
    public void setBucketPolicy(String bucket, BucketPolicy policy) {
        if (policy == null) {
            throw new InvalidArgumentException("policy is null");
        }
        byte[] b = CStrings.of(bucket, "bucket");
        NativeCall.run(handle, (p, out) -> Lib.qcdn_client_set_bucket_policy(p, b, policy.number, out));
    }

    /** Sets a bucket's CORS response headers (header name to value). */
    public void setBucketCors(String bucket, Map<String, String> headers) {
        byte[] b = CStrings.of(bucket, "bucket");
        byte[] h = headers == null ? null : CStrings.of(Json.write(headers, "headers"), "headers");
        NativeCall.run(handle, (p, out) -> Lib.qcdn_client_set_bucket_cors(p, b, h, out));
    }

    /** A bucket's CORS response headers. */
    public Map<String, String> getBucketCors(String bucket) {
        byte[] b = CStrings.of(bucket, "bucket");
        Map<String, Object> doc = object((p, out) -> Lib.qcdn_client_get_bucket_cors(p, b, out));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String k : doc.keySet()) {
            headers.put(k, Values.required(doc, k));
        }
        return Collections.unmodifiableMap(headers);
    }

    /** Removes every CORS header of a bucket. */
    public void deleteBucketCors(String bucket) {
        byte[] b = CStrings.of(bucket, "bucket");
        NativeCall.run(handle, (p, out) -> Lib.qcdn_client_delete_bucket_cors(p, b, out));
    }

    /** Removes one CORS header of a bucket. */
    public void deleteBucketCorsHeader(String bucket, String header) {
        byte[] b = CStrings.of(bucket, "bucket");
        byte[] h = CStrings.of(header, "header");
        NativeCall.run(handle, (p, out) -> Lib.qcdn_client_delete_bucket_cors_header(p, b, h, out));
    }

    /** Purges the CDN cache of a whole bucket. */
    public void purgeBucketCache(String bucket) {
        byte[] b = CStrings.of(bucket, "bucket");
        NativeCall.run(handle, (p, out) -> Lib.qcdn_client_purge_bucket_cache(p, b, out));
    }

    /** Purges the CDN cache of one object path. */
    public void purgeObjectCache(String bucket, String path) {
        byte[] b = CStrings.of(bucket, "bucket");
        byte[] k = CStrings.of(path, "path");
        NativeCall.run(handle, (p, out) -> Lib.qcdn_client_purge_object_cache(p, b, k, out));
    }

    /** Frees the native client once no call is running (idempotent). */
    @Override
    public void close() {
        cleanable.clean();
    }

    /** The URLs; never the API key or an access token. */
    @Override
    public String toString() {
        return "Client[" + description + (handle.isClosed() ? ", closed" : "") + "]";
    }

    private Map<String, Object> object(NativeCall c) {
        return Json.parseObject(NativeCall.string(handle, c));
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> list(NativeCall c, Function<Map<String, Object>, T> convert) {
        List<Object> docs = Json.parseArray(NativeCall.string(handle, c));
        List<T> out = new ArrayList<>(docs.size());
        for (Object d : docs) {
            out.add(convert.apply((Map<String, Object>) d));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Settings of a {@link Client}. Unset values keep the core's defaults:
     * the production URLs, 10 s to connect, 30 s per attempt, 60 s per call,
     * 3 retries. The core checks every value when {@link #build()} runs.
     */
    public static final class Builder {
        private final String apiKey;
        private final Map<String, Object> options = new LinkedHashMap<>();

        private Builder(String apiKey) {
            this.apiKey = apiKey;
        }

        /** The management API's base URL (an emulator: {@code http://127.0.0.1:PORT}). */
        public Builder apiUrl(String url) {
            options.put("api_url", url);
            return this;
        }

        /** The access-token API's base URL (for the emulator the same as {@link #apiUrl}). */
        public Builder authUrl(String url) {
            options.put("auth_url", url);
            return this;
        }

        /** Time allowed for one whole attempt, body included (more than zero, at most 24 h). */
        public Builder timeout(Duration timeout) {
            options.put("timeout", Values.seconds(timeout));
            return this;
        }

        /** Time allowed to connect. */
        public Builder connectTimeout(Duration timeout) {
            options.put("connect_timeout", Values.seconds(timeout));
            return this;
        }

        /**
         * Time one whole call may take: every attempt, every wait between retries ({@code Retry-After}
         * included), the token fetch; then {@link QencodeTimeoutException}. Default 60 s, or the
         * {@link #timeout} when that is longer.
         */
        public Builder deadline(Duration deadline) {
            options.put("deadline", Values.seconds(deadline));
            return this;
        }

        /** Retries after the first attempt (0 to 10); 0 never retries. */
        public Builder maxRetries(int retries) {
            options.put("max_retries", retries);
            return this;
        }

        /**
         * The client. No I/O happens here; the first call fetches an access token.
         *
         * @throws InvalidArgumentException an empty API key, a bad URL or option
         */
        public Client build() {
            byte[] key = CStrings.of(apiKey, "apiKey");
            PointerByReference out = new PointerByReference();
            try {
                Errors.check(Lib.qcdn_client_new_json(key, CStrings.of(Json.write(options, "client options"),
                        "client options"), CStrings.of("java", "binding"), out));
            } finally {
                if (key != null) {
                    java.util.Arrays.fill(key, (byte) 0);
                }
            }
            Object api = options.getOrDefault("api_url", DEFAULT_API_URL);
            Object auth = options.getOrDefault("auth_url", DEFAULT_AUTH_URL);
            return new Client(out.getValue(), "apiUrl=" + api + ", authUrl=" + auth);
        }

        /** Never the API key. */
        @Override
        public String toString() {
            return "Client.Builder" + options;
        }
    }
}
