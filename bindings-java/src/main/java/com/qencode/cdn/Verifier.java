package com.qencode.cdn;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;

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
