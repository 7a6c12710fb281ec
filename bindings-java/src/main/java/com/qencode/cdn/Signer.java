package com.qencode.cdn;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

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
 */
public final class Signer implements AutoCloseable {
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final String keyId;
    private final int keyBits;

    private Signer(Pointer ptr) {
        this.handle = new Handle(ptr, Lib::qcdn_signer_free, "Signer");
        this.cleanable = Handle.CLEANER.register(this, handle);
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

    /** The key id ({@code kid}) this signer writes into every token. */
    public String keyId() {
        return keyId;
    }

    /** The size of the RSA modulus in bits (2048, 3072, 4096 …). */
    public int keyBits() {
        return keyBits;
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
        return NativeCall.string(handle, (p, out) -> Lib.qcdn_signer_sign_json(p, u, o, out));
    }

    /** {@code https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8?auth=…} (one hour). */
    public String signedLiveUrl(String playbackId) {
        return signedLiveUrl(playbackId, null);
    }

    /** The live playback URL with a token for {@code playbackId}. */
    public String signedLiveUrl(String playbackId, SignOptions options) {
        byte[] id = CStrings.of(playbackId, "playbackId");
        byte[] o = opts(options);
        return NativeCall.string(handle, (p, out) -> Lib.qcdn_signer_signed_live_url_json(p, id, o, out));
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
        return NativeCall.string(handle,
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
        return NativeCall.string(handle, (p, out) -> Lib.qcdn_signer_signed_storage_url_json(p, b, r, k, o, out));
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
        return NativeCall.string(handle,
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
        return NativeCall.string(handle, (p, out) -> Lib.qcdn_signer_sign_url_json(p, l, u, o, out));
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
        return SignedCookie.fromJson(NativeCall.string(handle,
                (p, out) -> Lib.qcdn_signer_signed_cookie_fields_json(p, u, o, out)));
    }

    /**
     * The signed cookie as the value of a {@code Set-Cookie} header:
     * {@code Qencode-Auth-Token=<token>; Domain=…; Path=…; Max-Age=…; Secure; HttpOnly; SameSite=Lax}.
     */
    public String signedCookieHeader(String uri, SignOptions options, CookieOptions cookie) {
        byte[] u = CStrings.of(uri, "uri");
        byte[] o = cookieOpts(options, cookie);
        return NativeCall.string(handle, (p, out) -> Lib.qcdn_signer_signed_cookie_json(p, u, o, out));
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
