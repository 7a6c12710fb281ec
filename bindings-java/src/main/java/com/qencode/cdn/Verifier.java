package com.qencode.cdn;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks RS256 tokens against one public key: signature, {@code kid},
 * {@code exp}/{@code nbf} with leeway, and — when asked — the resource the
 * token must cover. {@link #explain} says in words why the edge would refuse
 * a signed URL.
 *
 * <pre>{@code
 * try (Verifier verifier = Verifier.fromPublicKey(publicKeyPem)) {
 *     VerifiedToken t = verifier.verify(token,
 *             VerifyOptions.builder().resource(Resource.storage("videos/a/1.ts")).build());
 * }
 * }</pre>
 *
 * <p><b>Threads:</b> immutable and thread-safe, like {@link Signer}; closing
 * and the {@link Cleaner} safety net work the same way.
 */
public final class Verifier implements AutoCloseable {
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    private Verifier(Pointer ptr) {
        this.handle = new Handle(ptr, Lib::qcdn_verifier_free, "Verifier");
        this.cleanable = Handle.CLEANER.register(this, handle);
    }

    /**
     * A verifier for a public key: SPKI or PKCS#1 PEM, base64 of either, a JWK
     * as JSON text (its {@code kid} becomes the expected key id), or a private
     * key (its public half is used). No key id is expected unless a JWK names
     * one or {@link VerifyOptions.Builder#keyId} is given.
     */
    public static Verifier fromPublicKey(String key) {
        return fromPublicKey(key == null ? null : key.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #fromPublicKey(String)}, for DER bytes or the bytes of a text form. */
    public static Verifier fromPublicKey(byte[] key) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_verifier_new(key, key == null ? 0 : key.length, out));
        return new Verifier(out.getValue());
    }

    /**
     * A verifier for a JWK ({@code {"kty":"RSA","n":…,"e":…}}, or a JWK Set of
     * one key). Its {@code kid}, when present, is the expected key id: a token
     * naming another is an {@link UnknownKeyIdException}.
     */
    public static Verifier fromJwk(String jwk) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_verifier_new_jwk(CStrings.of(jwk, "jwk"), out));
        return new Verifier(out.getValue());
    }

    /**
     * A verifier over a key set, from a JWK Set document
     * ({@code {"keys": [...]}}, e.g. what a JWKS endpoint serves): each token
     * is checked with the key its {@code kid} names — several keys valid at
     * once, as during a key rotation. A token whose {@code kid} is not in the
     * set (or that has none) is an {@link UnknownKeyIdException} listing the
     * known ids; {@link VerifyOptions.Builder#keyId} narrows the set to one key.
     *
     * @throws InvalidKeyException a key of another type (EC, OKP, oct), a key without {@code kid}, a duplicate
     *     {@code kid}, or text that is not a JWK Set (the message names the key)
     * @throws InvalidArgumentException an empty set
     */
    public static Verifier fromJwks(String jwks) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_verifier_new_jwks(CStrings.of(jwks, "jwks"), out));
        return new Verifier(out.getValue());
    }

    /**
     * As {@link #fromJwks(String)}, for a JWK Set already parsed into a
     * {@code Map} (by Gson, Jackson, …): JSON values only ({@code Map},
     * {@code List}, {@code String}, {@code Number}, {@code Boolean}, {@code null}).
     */
    public static Verifier fromJwks(Map<String, ?> jwks) {
        if (jwks == null) {
            throw new InvalidArgumentException("jwks is null");
        }
        return fromJwks(Json.write(jwks, "jwks"));
    }

    /**
     * A verifier over a key set from key ids and public keys, in the map's
     * iteration order (use a {@code LinkedHashMap} for a fixed order), with
     * the rules of {@link #fromJwks(String)}. A key is any text form
     * {@link #fromPublicKey(String)} reads: SPKI or PKCS#1 PEM, base64 of DER
     * ({@code Base64.getEncoder().encodeToString(publicKey.getEncoded())}) or
     * of a PEM, a JWK's JSON text.
     *
     * @throws InvalidKeyException a key that cannot be read, or an empty key id (the message names it)
     * @throws InvalidArgumentException no keys
     */
    public static Verifier fromKeys(Map<String, String> keys) {
        if (keys == null) {
            throw new InvalidArgumentException("keys is null");
        }
        return fromKeys(keys.entrySet());
    }

    /**
     * As {@link #fromKeys(Map)}, from {@code (kid, public key)} pairs
     * ({@code List.of(Map.entry("key-old", oldPem), Map.entry("key-new", newPem))});
     * a key id given twice is an {@link InvalidKeyException}.
     */
    public static Verifier fromKeys(Iterable<? extends Map.Entry<String, String>> keys) {
        if (keys == null) {
            throw new InvalidArgumentException("keys is null");
        }
        List<Object> list = new ArrayList<>();
        for (Map.Entry<String, String> e : keys) {
            if (e == null) {
                throw new InvalidArgumentException("keys[" + list.size() + "] is null");
            }
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("kid", e.getKey());
            pair.put("key", e.getValue());
            list.add(pair);
        }
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_verifier_new_keys_json(CStrings.of(Json.write(list, "keys"), "keys"), out));
        return new Verifier(out.getValue());
    }

    /** The verifier of a signer's own tokens: its public key, expecting its key id. */
    public static Verifier fromSigner(Signer signer) {
        if (signer == null) {
            throw new InvalidArgumentException("signer is null");
        }
        Handle h = signer.handle();
        Pointer p = h.acquire();
        try {
            PointerByReference out = new PointerByReference();
            Errors.check(Lib.qcdn_verifier_from_signer(p, out));
            return new Verifier(out.getValue());
        } finally {
            h.release();
        }
    }

    /** Verifies {@code token} with the default options. */
    public VerifiedToken verify(String token) {
        return verify(token, null);
    }

    /**
     * Verifies {@code token}: RS256 signature, key id, {@code exp} and
     * {@code nbf}, and the options' resource when one is given.
     *
     * @throws TokenException why the token is refused (one of its six subclasses)
     */
    public VerifiedToken verify(String token, VerifyOptions options) {
        byte[] t = CStrings.of(token, "token");
        byte[] o = options == null ? null : options.cjson;
        return VerifiedToken.fromJson(NativeCall.string(handle, (p, out) -> Lib.qcdn_verifier_verify_json(p, t, o, out)));
    }

    /** {@link #explain(String, VerifyOptions)} with the default options. */
    public Explanation explain(String url) {
        return explain(url, null);
    }

    /**
     * Whether the edge would accept this signed URL (any of the four forms),
     * every check in words. A refused URL is an explanation with
     * {@code ok() == false}, never an exception.
     */
    public Explanation explain(String url, VerifyOptions options) {
        byte[] u = CStrings.of(url, "url");
        byte[] o = options == null ? null : options.cjson;
        return Explanation.fromJson(NativeCall.string(handle, (p, out) -> Lib.qcdn_verifier_explain_json(p, u, o, out)));
    }

    /** {@link #explainToken(String, VerifyOptions)} with the default options. */
    public Explanation explainToken(String token) {
        return explainToken(token, null);
    }

    /** Every check of {@link #verify} on a bare token, passed or failed, in words. */
    public Explanation explainToken(String token, VerifyOptions options) {
        byte[] t = CStrings.of(token, "token");
        byte[] o = options == null ? null : options.cjson;
        return Explanation.fromJson(NativeCall.string(handle, (p, out) -> Lib.qcdn_verifier_explain_token(p, t, o, out)));
    }

    /**
     * The verifier's public keys as a JWK Set document ({@code {"keys": [...]}},
     * each key with {@code kty}, {@code n}, {@code e}, {@code kid} when known,
     * {@code alg} {@code RS256} and {@code use} {@code sig}): what a JWKS
     * endpoint publishes during a rotation, and what {@link #fromJwks(String)}
     * reads back.
     */
    public String jwks() {
        return NativeCall.string(handle, Lib::qcdn_verifier_jwks);
    }

    /** The key ids this verifier knows, in order (empty for a single key without one). */
    public List<String> keyIds() {
        List<String> ids = new ArrayList<>();
        if (Json.parseObject(jwks()).get("keys") instanceof List<?> keys) {
            for (Object k : keys) {
                if (k instanceof Map<?, ?> m && m.get("kid") instanceof String kid) {
                    ids.add(kid);
                }
            }
        }
        return Collections.unmodifiableList(ids);
    }

    /** Frees the native key (idempotent; a call in progress on another thread finishes first). */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return handle.isClosed() ? "Verifier[closed]" : "Verifier[]";
    }
}
