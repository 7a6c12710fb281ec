package com.qencode.cdn;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A private RSA signing key, loaded once, that signs any number of RS256
 * playback tokens, signed URLs and cookies.
 *
 * <pre>{@code
 * try (Signer signer = Signer.fromPem(keyId, pem)) {
 *     String url = signer.signedLiveUrl("abc123");              // expires in one hour
 * }
 * }</pre>
 *
 * <p><b>Threads:</b> a {@code Signer} is immutable and thread-safe: share one
 * between any number of threads (signing does not lock). {@link #close()}
 * frees the native key; a call running on another thread finishes first,
 * later calls get {@link IllegalStateException}. A signer that is never
 * closed is freed by a {@link Cleaner} once unreachable.
 *
 * <p>The key is accepted as PKCS#1 or PKCS#8 PEM, DER, PEM whose newlines
 * became literal {@code \n}, CRLF or spaces (environment variables), or base64
 * of a PEM. No method, message or {@code toString()} ever shows key material.
 *
 * <p>The private key may also stay elsewhere: {@link #external} (a KMS, Vault,
 * any {@link ExternalSigner}) and {@link #fromPkcs11} (an HSM); every
 * signature is then verified with the public key before a token is returned.
 * For throughput, {@link #signMany} signs a batch on every core and
 * {@link #cached} returns a signer that signs each uri once per window;
 * {@link #prepare} and {@link #finish} split a signature in two for
 * asynchronous signers.
 */
public final class Signer implements AutoCloseable {
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final String keyId;
    private final int keyBits;
    private final boolean external;
    private final Duration cacheWindow;

    private Signer(Pointer ptr) {
        this(ptr, false, null);
    }

    private Signer(Pointer ptr, boolean external, Duration cacheWindow) {
        this.handle = new Handle(ptr, Lib::qcdn_signer_free, "Signer");
        this.cleanable = Handle.CLEANER.register(this, handle);
        this.external = external;
        this.cacheWindow = cacheWindow;
        try {
            this.keyId = NativeCall.string(handle, Lib::qcdn_signer_key_id);
            int[] bits = new int[1];
            Pointer p = handle.acquire();
            try {
                Errors.check(Lib.qcdn_signer_key_bits(p, bits));
            } finally {
                handle.release();
            }
            this.keyBits = bits[0];
        } catch (RuntimeException e) {
            cleanable.clean();
            throw e;
        }
    }

    /**
     * A signer for {@code pem}, the private key's text (any accepted form).
     *
     * @param keyId the signing key id, written as the token's {@code kid} header
     * @param pem the private key
     * @throws InvalidKeyException the key cannot be parsed, is not RSA or is too small
     * @throws InvalidArgumentException the key id is empty, too long or holds control characters
     */
    public static Signer fromPem(String keyId, String pem) {
        byte[] key = pem == null ? null : pem.getBytes(StandardCharsets.UTF_8);
        try {
            return fromKey(keyId, key);
        } finally {
            wipe(key);
        }
    }

    /**
     * A signer for {@code key}: DER bytes, or the bytes of any accepted text
     * form. The bytes are copied by the library; this method wipes nothing
     * of the caller's array.
     */
    public static Signer fromKey(String keyId, byte[] key) {
        byte[] id = CStrings.of(keyId, "keyId");
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_signer_new(id, key, key == null ? 0 : key.length, out));
        return new Signer(out.getValue());
    }

    /**
     * The signer of the environment: the key from {@code QENCODE_SIGNING_KEY}
     * (env-mangled newlines are fine) and the key id from
     * {@code QENCODE_SIGNING_KEY_ID}. Unset or blank variables are an
     * {@link InvalidArgumentException} naming the variable (never its value).
     */
    public static Signer fromEnv() {
        return fromEnv(null);
    }

    /** As {@link #fromEnv()}, with {@code keyId} instead of {@code QENCODE_SIGNING_KEY_ID} ({@code null}: the variable). */
    public static Signer fromEnv(String keyId) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_signer_from_env(CStrings.of(keyId, "keyId"), out));
        return new Signer(out.getValue());
    }

    /**
     * A signer for the private key in a file (any accepted form; the file's
     * bytes are wiped from the library's memory after loading). An unreadable
     * file is an {@link InvalidArgumentException} naming the path.
     */
    public static Signer fromFile(String keyId, Path path) {
        byte[] p = CStrings.of(path == null ? null : path.toString(), "path");
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_signer_from_file(CStrings.of(keyId, "keyId"), p, out));
        return new Signer(out.getValue());
    }

    /**
     * A signer whose private key never enters this process: every signature
     * is asked of {@code signer} (a KMS, an HSM, a signing service), then
     * verified with {@code publicKey} before a token is returned. The tokens
     * are byte-identical to those of a local signer holding the same key.
     *
     * <p>{@code signer} runs inline, on the thread that signs (see
     * {@link ExternalSigner} for threads and deadlines); an exception it
     * throws, a {@code null}, a signature of the wrong length, of another key
     * or of another algorithm is a {@link SignerFailedException} — never a
     * token. The library holds {@code signer} until the last signer sharing
     * it (this one and every {@link #cached} signer made from it) is closed
     * or freed, then calls {@link ExternalSigner#released()} once.
     *
     * @param keyId the {@code kid} of the tokens
     * @param publicKey the key's public half: SPKI or PKCS#1 PEM, base64 of DER, or a JWK's JSON text
     * @param signer makes the RS256 signatures
     * @throws InvalidKeyException the public key cannot be read, is not RSA or is too small
     * @throws InvalidArgumentException the key id is empty, too long or holds control characters
     */
    public static Signer external(String keyId, String publicKey, ExternalSigner signer) {
        return external(keyId, publicKey == null ? null : publicKey.getBytes(StandardCharsets.UTF_8), signer);
    }

    /** As {@link #external(String, String, ExternalSigner)}, for the public key as DER (what KMS {@code GetPublicKey} returns) or the bytes of a text form. */
    public static Signer external(String keyId, byte[] publicKey, ExternalSigner signer) {
        byte[] id = CStrings.of(keyId, "keyId");
        if (signer == null) {
            throw new InvalidArgumentException("the ExternalSigner is null");
        }
        long ref = External.register(signer);
        PointerByReference out = new PointerByReference();
        int status = Lib.qcdn_signer_new_external(id, publicKey, publicKey == null ? 0 : publicKey.length,
                External.SIGN, new Pointer(ref), External.FREE, 0, out);
        if (status != 0) {
            External.unregister(ref); // the library did not take it
            throw Errors.last(status);
        }
        return new Signer(out.getValue(), true, null);
    }

    /** As {@link #external(String, String, ExternalSigner)}, for a {@code java.security.PublicKey} (its X.509 encoding). */
    public static Signer external(String keyId, PublicKey publicKey, ExternalSigner signer) {
        byte[] der = publicKey == null ? null : publicKey.getEncoded();
        if (publicKey != null && der == null) {
            throw new InvalidKeyException("the public key has no encoding (" + publicKey.getAlgorithm() + ", "
                    + publicKey.getFormat() + ")");
        }
        return external(keyId, der, signer);
    }

    /**
     * A signer whose RSA private key stays on a PKCS#11 token (an HSM, a
     * smart card, SoftHSM). Loads {@code module} at run time, finds the token
     * labelled {@code tokenLabel}, logs in with {@code pin} and signs with the
     * private key labelled {@code keyLabel}; the public key is read from the
     * token and every signature is verified with it. Signatures on one signer
     * are serialised by it (one session); use several signers for parallel
     * signing.
     *
     * @param module the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
     * @param keyId the {@code kid} of the tokens
     * @throws InvalidKeyException the module cannot be loaded, no such token or key, a wrong PIN, a key that is
     *     not RSA (the message says which, never the PIN)
     */
    public static Signer fromPkcs11(String module, String tokenLabel, String keyLabel, String pin, String keyId) {
        byte[] p = CStrings.of(pin, "pin");
        try {
            return pkcs11(module, tokenLabel, keyLabel, p, keyId);
        } finally {
            wipe(p);
        }
    }

    /** As {@link #fromPkcs11(String, String, String, String, String)}, with the PIN as characters (wiped from this package's copy after use; yours stays yours). */
    public static Signer fromPkcs11(String module, String tokenLabel, String keyLabel, char[] pin, String keyId) {
        byte[] p = pin == null ? null : CStrings.of(pin, "pin");
        try {
            return pkcs11(module, tokenLabel, keyLabel, p, keyId);
        } finally {
            wipe(p);
        }
    }

    private static Signer pkcs11(String module, String tokenLabel, String keyLabel, byte[] pin, String keyId) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_signer_from_pkcs11(CStrings.of(module, "module"), CStrings.of(tokenLabel, "tokenLabel"),
                CStrings.of(keyLabel, "keyLabel"), pin, CStrings.of(keyId, "keyId"), out));
        return new Signer(out.getValue(), true, null);
    }

    /** The key id ({@code kid}) this signer writes into every token. */
    public String keyId() {
        return keyId;
    }

    /** The size of the RSA modulus in bits (2048, 3072, 4096 …). */
    public int keyBits() {
        return keyBits;
    }

    /** Whether the private key is held elsewhere ({@link #external}, {@link #fromPkcs11}, or a cached signer made from one). */
    public boolean isExternal() {
        return external;
    }

    /** The window of a {@link #cached} signer; empty for a signer without a cache. */
    public Optional<Duration> cacheWindow() {
        return Optional.ofNullable(cacheWindow);
    }

    /** The public key as SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}). */
    public String publicKeyPem() {
        return NativeCall.string(handle, Lib::qcdn_signer_public_key_pem);
    }

    /** The public key as a JWK JSON object ({@code kty}, {@code kid}, {@code alg}, {@code use}, {@code n}, {@code e}). */
    public String publicKeyJwk() {
        return NativeCall.string(handle, Lib::qcdn_signer_public_key_jwk);
    }

    /** A token for {@code uri} that expires in one hour. */
    public String sign(String uri) {
        return sign(uri, null);
    }

    /**
     * A token for {@code uri}: a playback id, an object key or key prefix, or
     * {@code ""} for a whole bucket.
     *
     * @param options the options, or {@code null} for the defaults
     */
    public String sign(String uri, SignOptions options) {
        byte[] u = CStrings.of(uri, "uri");
        byte[] o = opts(options);
        return call((p, out) -> Lib.qcdn_signer_sign_json(p, u, o, out));
    }

    /** {@code https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8?auth=…} (one hour). */
    public String signedLiveUrl(String playbackId) {
        return signedLiveUrl(playbackId, null);
    }

    /** The live playback URL with a token for {@code playbackId}. */
    public String signedLiveUrl(String playbackId, SignOptions options) {
        byte[] id = CStrings.of(playbackId, "playbackId");
        byte[] o = opts(options);
        return call((p, out) -> Lib.qcdn_signer_signed_live_url_json(p, id, o, out));
    }

    /** {@code https://{domain}/{playbackId}.m3u8?auth=…} (one hour). */
    public String signedLiveCustomDomainUrl(String domain, String playbackId) {
        return signedLiveCustomDomainUrl(domain, playbackId, null);
    }

    /** The live URL on a custom domain with a token for {@code playbackId}. */
    public String signedLiveCustomDomainUrl(String domain, String playbackId, SignOptions options) {
        byte[] d = CStrings.of(domain, "domain");
        byte[] id = CStrings.of(playbackId, "playbackId");
        byte[] o = opts(options);
        return call(
                (p, out) -> Lib.qcdn_signer_signed_live_custom_domain_url_json(p, d, id, o, out));
    }

    /** {@code https://{bucket}.media-storage.{region}.qencode.com/{key}?auth=…} (one hour). */
    public String signedStorageUrl(String bucket, String region, String key) {
        return signedStorageUrl(bucket, region, key, null);
    }

    /**
     * The storage URL with a token whose {@code uri} is {@code key} (without
     * a leading {@code /}); regions {@code us-west}, {@code eu-central}.
     */
    public String signedStorageUrl(String bucket, String region, String key, SignOptions options) {
        byte[] b = CStrings.of(bucket, "bucket");
        byte[] r = CStrings.of(region, "region");
        byte[] k = CStrings.of(key, "key");
        byte[] o = opts(options);
        return call((p, out) -> Lib.qcdn_signer_signed_storage_url_json(p, b, r, k, o, out));
    }

    /** {@code https://{domain}/{key}?auth=…} (one hour). */
    public String signedStorageCustomDomainUrl(String domain, String key) {
        return signedStorageCustomDomainUrl(domain, key, null);
    }

    /** The storage URL on a custom domain with a token for {@code key}. */
    public String signedStorageCustomDomainUrl(String domain, String key, SignOptions options) {
        byte[] d = CStrings.of(domain, "domain");
        byte[] k = CStrings.of(key, "key");
        byte[] o = opts(options);
        return call(
                (p, out) -> Lib.qcdn_signer_signed_storage_custom_domain_url_json(p, d, k, o, out));
    }

    /**
     * Signs {@code uri} and puts the token into any URL as its {@code auth}
     * query parameter (replacing one already there, keeping the rest).
     */
    public String signUrl(String url, String uri, SignOptions options) {
        byte[] l = CStrings.of(url, "url");
        byte[] u = CStrings.of(uri, "uri");
        byte[] o = opts(options);
        return call((p, out) -> Lib.qcdn_signer_sign_url_json(p, l, u, o, out));
    }

    /**
     * A signed {@code Qencode-Auth-Token} cookie as its fields. For HLS/DASH
     * {@code uri} is the folder holding the master playlist ({@code videos/a/}):
     * every segment under it is covered.
     *
     * @param options sign options, or {@code null}
     * @param cookie cookie attributes, or {@code null}
     */
    public SignedCookie signedCookie(String uri, SignOptions options, CookieOptions cookie) {
        byte[] u = CStrings.of(uri, "uri");
        byte[] o = cookieOpts(options, cookie);
        return SignedCookie.fromJson(call(
                (p, out) -> Lib.qcdn_signer_signed_cookie_fields_json(p, u, o, out)));
    }

    /**
     * The signed cookie as the value of a {@code Set-Cookie} header:
     * {@code Qencode-Auth-Token=<token>; Domain=…; Path=…; Max-Age=…; Secure; HttpOnly; SameSite=Lax}.
     */
    public String signedCookieHeader(String uri, SignOptions options, CookieOptions cookie) {
        byte[] u = CStrings.of(uri, "uri");
        byte[] o = cookieOpts(options, cookie);
        return call((p, out) -> Lib.qcdn_signer_signed_cookie_json(p, u, o, out));
    }

    /** {@link #prepare(String, SignOptions)} with the default options. */
    public PreparedToken prepare(String uri) {
        return prepare(uri, null);
    }

    /**
     * The first half of a two-phase signature, for signers that answer
     * asynchronously (a KMS client returning a {@code CompletableFuture}):
     * the exact bytes to sign, made with the checks and options of
     * {@link #sign(String, SignOptions)}. Sign {@link PreparedToken#signingInput()}
     * anywhere, then {@link #finish} (or {@link PreparedToken#finish}) gives
     * the token. Works with any signer; a cached one does not consult its
     * cache here.
     */
    public PreparedToken prepare(String uri, SignOptions options) {
        byte[] u = CStrings.of(uri, "uri");
        byte[] o = opts(options);
        return new PreparedToken(this, NativeCall.string(handle, (p, out) -> Lib.qcdn_signer_prepare_json(p, u, o, out)));
    }

    /**
     * The second half of {@link #prepare}: the token, once {@code signature}
     * (the raw RS256 signature of {@code prepared.signingInput()}) verifies
     * with this signer's public key.
     *
     * @throws SignerFailedException the signature has the wrong length or does not verify (another key, another
     *     input, garbage)
     * @throws InvalidArgumentException {@code prepared} was not made by a signer of this key id
     */
    public String finish(PreparedToken prepared, byte[] signature) {
        if (prepared == null) {
            throw new InvalidArgumentException("prepared is null");
        }
        byte[] input = prepared.cSigningInput;
        return NativeCall.string(handle, (p, out) -> Lib.qcdn_signer_finish(p, input, signature,
                signature == null ? 0 : signature.length, out));
    }

    /** {@link #signMany(List, int)} on every core. */
    public List<SignResult> signMany(List<SignRequest> items) {
        return batch(items, 0);
    }

    /**
     * Signs a batch on up to {@code threads} threads (the calling thread is
     * one of them): one result per item, in order — its token, or the
     * exception that item failed with, exactly as {@link #sign} would give it.
     * One bad item never fails the batch. The tokens are those
     * {@link #sign} gives; with an external signer its {@link ExternalSigner}
     * is called from the batch's threads (its exception is then in the item's
     * {@link SignerFailedException} message, not its cause).
     *
     * @param threads the most threads to use, at least 1
     * @throws InvalidArgumentException {@code items} or one of them is {@code null}, or {@code threads} is less than 1
     */
    public List<SignResult> signMany(List<SignRequest> items, int threads) {
        if (threads < 1) {
            throw new InvalidArgumentException("threads must be at least 1, got " + threads);
        }
        return batch(items, threads);
    }

    /** A batch on at most {@code threads} threads, 0 = every core. */
    private List<SignResult> batch(List<SignRequest> items, int threads) {
        if (items == null) {
            throw new InvalidArgumentException("items is null");
        }
        List<Object> list = new ArrayList<>(items.size());
        int n = 0;
        for (SignRequest r : items) {
            if (r == null) {
                throw new InvalidArgumentException("items[" + n + "] is null");
            }
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("uri", r.uri());
            if (r.options() != null) {
                item.put("options", r.options().values());
            }
            list.add(item);
            n++;
        }
        byte[] json = CStrings.of(Json.write(list, "items"), "items");
        List<Object> answer = Json.parseArray(call((p, out) -> Lib.qcdn_signer_sign_many_json(p, json, threads, out)));
        if (answer.size() != list.size()) {
            throw new DecodeException("the batch returned " + answer.size() + " results for " + list.size() + " items");
        }
        List<SignResult> results = new ArrayList<>(answer.size());
        for (Object a : answer) {
            if (a instanceof Map<?, ?> m && m.get("token") instanceof String token) {
                results.add(SignResult.ok(token));
            } else if (a instanceof Map<?, ?> m && m.containsKey("error")) {
                results.add(SignResult.failed(Errors.fromItemError(m.get("error"))));
            } else {
                throw new DecodeException("a result of the batch is neither a token nor an error");
            }
        }
        return results;
    }

    /** {@link #cached(Duration, CacheOptions)} with the default capacity. */
    public Signer cached(Duration window) {
        return cached(window, CacheOptions.defaults());
    }

    /**
     * A signer that caches its tokens: requests for the same {@code uri},
     * claims and lifetime inside one {@code window} get the same token, whose
     * {@code exp} is rounded <b>up</b> to a multiple of the window — valid at
     * least the lifetime asked for and at most one window longer — so a busy
     * {@code uri} costs one RSA signature per window instead of one per
     * request. Never cached: tokens that never expire, and calls with a pinned
     * clock ({@link SignOptions.Builder#now}) unless
     * {@link CacheOptions.Builder#cachePinnedClock}. Every signing method of
     * the new signer goes through the cache ({@link #sign}, the signed URLs
     * and cookies, {@link #signMany}); this signer stays usable and uncached.
     * Close both (the new one shares the key, and an external signer's
     * {@link ExternalSigner}).
     *
     * @param window whole seconds, from 1 second to 1 day
     * @throws InvalidArgumentException a window that is not whole seconds, or outside 1 s to 1 day
     */
    public Signer cached(Duration window, CacheOptions options) {
        if (window == null) {
            throw new InvalidArgumentException("the cache window is null");
        }
        if (window.isNegative() || window.getNano() != 0) {
            throw new InvalidArgumentException("the cache window must be whole seconds from 1 to 86400, got " + window);
        }
        int secs = (int) Math.min(window.getSeconds(), 0xFFFF_FFFFL);
        CacheOptions o = options == null ? CacheOptions.defaults() : options;
        PointerByReference out = new PointerByReference();
        Pointer p = handle.acquire();
        try {
            Errors.check(Lib.qcdn_signer_cached(p, secs, o.capacity, (byte) (o.cachePinnedClock ? 1 : 0), out));
        } finally {
            handle.release();
        }
        return new Signer(out.getValue(), external, window);
    }

    /** How many tokens this signer's cache holds now (0 for a signer without a cache). */
    public long cachedTokens() {
        long[] count = new long[1];
        Pointer p = handle.acquire();
        try {
            Errors.check(Lib.qcdn_signer_cached_tokens(p, count));
        } finally {
            handle.release();
        }
        return count[0];
    }

    /** Frees the native key (idempotent; a call in progress on another thread finishes first). */
    @Override
    public void close() {
        cleanable.clean();
    }

    /** Never shows key material. */
    @Override
    public String toString() {
        return "Signer[keyId=" + keyId + ", bits=" + keyBits + (handle.isClosed() ? ", closed" : "") + "]";
    }

    Handle handle() {
        return handle;
    }

    /**
     * A signing call; for an external signer, the exception its
     * {@link ExternalSigner} threw during the call becomes the cause of the
     * {@link SignerFailedException}, and is never kept beyond the call.
     */
    private String call(NativeCall c) {
        if (!external) {
            return NativeCall.string(handle, c);
        }
        try {
            return NativeCall.string(handle, c);
        } catch (SignerFailedException e) {
            Throwable cause = External.takeFailure();
            if (cause != null && e.getCause() == null) {
                e.initCause(cause);
            }
            throw e;
        } finally {
            External.takeFailure();
        }
    }

    private static byte[] opts(SignOptions options) {
        return options == null ? null : options.cjson;
    }

    private static byte[] cookieOpts(SignOptions options, CookieOptions cookie) {
        if (cookie == null || cookie.values().isEmpty()) {
            return opts(options);
        }
        Map<String, Object> all = new LinkedHashMap<>();
        if (options != null) {
            all.putAll(options.values());
        }
        all.putAll(cookie.values());
        return CStrings.of(Json.write(all, "cookie options"), "cookie options");
    }

    private static void wipe(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
