package com.qencode.cdn;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * The C functions of {@code include/qencode_cdn.h}, bound once by JNA direct
 * mapping (no proxy, no per-call reflection). Strings go in as NUL-terminated
 * UTF-8 {@code byte[]} ({@link CStrings#of}); strings coming out are read and
 * freed with {@code qcdn_string_free} by {@link CStrings#take}. {@code uint32_t}
 * is {@code int}, {@code size_t} and {@code uint64_t} are {@code long} (64-bit
 * platforms only; the loader checks), {@code bool} is {@code byte}. Only the
 * {@code *_json} option functions are bound: the core reads every option
 * object. The callbacks of external signers are {@link External}'s.
 */
final class Lib {
    static {
        Native.register(Lib.class, NativeLoader.library());
    }

    private Lib() {
    }

    // Library, strings, errors.
    static native Pointer qcdn_version();

    static native Pointer qcdn_status_str(int status);

    static native void qcdn_string_free(Pointer s);

    static native int qcdn_last_error_json(PointerByReference outJson);

    // Signer.
    static native int qcdn_signer_new(byte[] keyId, byte[] key, long keyLen, PointerByReference outSigner);

    static native int qcdn_signer_from_env(byte[] keyId, PointerByReference outSigner);

    static native int qcdn_signer_from_file(byte[] keyId, byte[] path, PointerByReference outSigner);

    static native int qcdn_signer_sign_json(Pointer signer, byte[] uri, byte[] optionsJson, PointerByReference outToken);

    static native int qcdn_signer_public_key_pem(Pointer signer, PointerByReference outPem);

    static native int qcdn_signer_public_key_jwk(Pointer signer, PointerByReference outJwk);

    static native int qcdn_signer_key_id(Pointer signer, PointerByReference outKeyId);

    static native int qcdn_signer_key_bits(Pointer signer, int[] outBits);

    static native void qcdn_signer_free(Pointer signer);

    static native int qcdn_signer_signed_live_url_json(Pointer signer, byte[] playbackId, byte[] optionsJson,
                                                       PointerByReference outUrl);

    static native int qcdn_signer_signed_live_custom_domain_url_json(Pointer signer, byte[] domain, byte[] playbackId,
                                                                     byte[] optionsJson, PointerByReference outUrl);

    static native int qcdn_signer_signed_storage_url_json(Pointer signer, byte[] bucket, byte[] region, byte[] key,
                                                          byte[] optionsJson, PointerByReference outUrl);

    static native int qcdn_signer_signed_storage_custom_domain_url_json(Pointer signer, byte[] domain, byte[] key,
                                                                        byte[] optionsJson, PointerByReference outUrl);

    static native int qcdn_signer_sign_url_json(Pointer signer, byte[] url, byte[] uri, byte[] optionsJson,
                                                PointerByReference outUrl);

    static native int qcdn_signer_signed_cookie_json(Pointer signer, byte[] uri, byte[] optionsJson,
                                                     PointerByReference outSetCookie);

    static native int qcdn_signer_signed_cookie_fields_json(Pointer signer, byte[] uri, byte[] optionsJson,
                                                            PointerByReference outJson);

    // External signers, PKCS#11, two-phase signing, batches, the cache.
    static native int qcdn_signer_new_external(byte[] keyId, byte[] publicKey, long publicKeyLen,
                                               External.SignCallback callback, Pointer userData,
                                               External.FreeCallback freeUserData, int timeoutMs,
                                               PointerByReference outSigner);

    static native int qcdn_signer_from_pkcs11(byte[] module, byte[] tokenLabel, byte[] keyLabel, byte[] pin,
                                              byte[] keyId, PointerByReference outSigner);

    static native int qcdn_signer_prepare_json(Pointer signer, byte[] uri, byte[] optionsJson,
                                               PointerByReference outSigningInput);

    static native int qcdn_signer_finish(Pointer signer, byte[] signingInput, byte[] sig, long sigLen,
                                         PointerByReference outToken);

    static native int qcdn_signer_sign_many_json(Pointer signer, byte[] itemsJson, int threads,
                                                 PointerByReference outJson);

    static native int qcdn_signer_cached(Pointer signer, int windowSecs, long capacity, byte cachePinnedClock,
                                         PointerByReference outSigner);

    static native int qcdn_signer_cached_tokens(Pointer signer, long[] outCount);

    // URLs.
    static native int qcdn_live_playback_url(byte[] playbackId, byte[] token, PointerByReference outUrl);

    static native int qcdn_live_custom_domain_url(byte[] domain, byte[] playbackId, byte[] token,
                                                  PointerByReference outUrl);

    static native int qcdn_storage_url(byte[] bucket, byte[] region, byte[] key, byte[] token,
                                       PointerByReference outUrl);

    static native int qcdn_storage_custom_domain_url(byte[] domain, byte[] key, byte[] token, PointerByReference outUrl);

    // Verifier and tokens.
    static native int qcdn_verifier_new(byte[] key, long keyLen, PointerByReference outVerifier);

    static native int qcdn_verifier_new_jwk(byte[] jwk, PointerByReference outVerifier);

    static native int qcdn_verifier_new_jwks(byte[] jwksJson, PointerByReference outVerifier);

    static native int qcdn_verifier_new_keys_json(byte[] keysJson, PointerByReference outVerifier);

    static native int qcdn_verifier_jwks(Pointer verifier, PointerByReference outJwks);

    static native int qcdn_verifier_from_signer(Pointer signer, PointerByReference outVerifier);

    static native int qcdn_verifier_verify_json(Pointer verifier, byte[] token, byte[] optionsJson,
                                                PointerByReference outJson);

    static native int qcdn_verifier_explain_json(Pointer verifier, byte[] url, byte[] optionsJson,
                                                 PointerByReference outJson);

    static native int qcdn_verifier_explain_token(Pointer verifier, byte[] token, byte[] optionsJson,
                                                  PointerByReference outJson);

    static native void qcdn_verifier_free(Pointer verifier);

    static native int qcdn_decode_unverified(byte[] token, PointerByReference outJson);

    static native int qcdn_audit(byte[] token, long now, PointerByReference outJson);

    // Streams.
    static native int qcdn_stream_coverage(byte[] manifestUrl, byte[] manifestText, byte[] optionsJson,
                                           PointerByReference outJson);

    static native int qcdn_stream_check(byte[] url, byte[] optionsJson, PointerByReference outJson);

    // Client.
    static native int qcdn_client_new_json(byte[] apiKey, byte[] optionsJson, byte[] binding,
                                           PointerByReference outClient);

    static native void qcdn_client_free(Pointer client);

    static native int qcdn_domain_type_parse(byte[] name, int[] outDomainType);

    static native int qcdn_client_create_domain(Pointer client, byte[] name, int domainType, PointerByReference outJson);

    static native int qcdn_client_get_domain(Pointer client, byte[] id, PointerByReference outJson);

    static native int qcdn_client_list_domains(Pointer client, int domainType, PointerByReference outJson);

    static native int qcdn_client_delete_domain(Pointer client, byte[] id, PointerByReference outJson);

    static native int qcdn_client_create_tls_subscription(Pointer client, byte[] domainId, PointerByReference outJson);

    static native int qcdn_client_get_tls_subscription(Pointer client, byte[] id, PointerByReference outJson);

    static native int qcdn_client_list_tls_subscriptions(Pointer client, PointerByReference outJson);

    static native int qcdn_client_delete_tls_subscription(Pointer client, byte[] id, PointerByReference outJson);

    static native int qcdn_client_create_signing_key(Pointer client, int targetKind, byte[] target,
                                                     PointerByReference outJson);

    static native int qcdn_client_get_signing_key(Pointer client, byte[] id, PointerByReference outJson);

    static native int qcdn_client_list_signing_keys(Pointer client, PointerByReference outJson);

    static native int qcdn_client_rename_signing_key(Pointer client, byte[] id, byte[] name, PointerByReference outJson);

    static native int qcdn_client_delete_signing_key(Pointer client, byte[] id, PointerByReference outJson);

    static native int qcdn_client_set_bucket_policy(Pointer client, byte[] bucket, int policy, PointerByReference outJson);

    static native int qcdn_client_set_bucket_cors(Pointer client, byte[] bucket, byte[] corsJson,
                                                  PointerByReference outJson);

    static native int qcdn_client_get_bucket_cors(Pointer client, byte[] bucket, PointerByReference outJson);

    static native int qcdn_client_delete_bucket_cors(Pointer client, byte[] bucket, PointerByReference outJson);

    static native int qcdn_client_delete_bucket_cors_header(Pointer client, byte[] bucket, byte[] header,
                                                            PointerByReference outJson);

    static native int qcdn_client_purge_bucket_cache(Pointer client, byte[] bucket, PointerByReference outJson);

    static native int qcdn_client_purge_object_cache(Pointer client, byte[] bucket, byte[] path,
                                                     PointerByReference outJson);
}
