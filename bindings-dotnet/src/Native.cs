// P/Invoke declarations of the C ABI (include/qencode_cdn.h) and the three
// SafeHandle types. Strings go in as NUL-terminated UTF-8 byte arrays built
// by Utf8.Encode (pinned by the marshaller for the call) and come back as
// library-owned char* that Utf8.Take reads and frees with qcdn_string_free.
using System;
using System.Runtime.ConstrainedExecution;
using System.Runtime.InteropServices;
using System.Text;

namespace Qencode.Cdn
{
    internal static class NativeMethods
    {
        internal const string Library = "qencode_cdn";

        [DllImport(Library)] internal static extern IntPtr qcdn_version();
        [DllImport(Library)] internal static extern IntPtr qcdn_status_str(uint status);
        [DllImport(Library)] internal static extern void qcdn_string_free(IntPtr s);
        [DllImport(Library)] internal static extern uint qcdn_last_error_json(out IntPtr outJson);

        // Signer
        [DllImport(Library)] internal static extern uint qcdn_signer_new(byte[] keyId, byte[] key, UIntPtr keyLen, out SignerHandle outSigner);
        [DllImport(Library)] internal static extern uint qcdn_signer_from_env(byte[] keyId, out SignerHandle outSigner);
        [DllImport(Library)] internal static extern uint qcdn_signer_from_file(byte[] keyId, byte[] path, out SignerHandle outSigner);
        [DllImport(Library)] internal static extern uint qcdn_signer_sign_json(SignerHandle signer, byte[] uri, byte[] optionsJson, out IntPtr outToken);
        [DllImport(Library)] internal static extern uint qcdn_signer_public_key_pem(SignerHandle signer, out IntPtr outPem);
        [DllImport(Library)] internal static extern uint qcdn_signer_public_key_jwk(SignerHandle signer, out IntPtr outJwk);
        [DllImport(Library)] internal static extern uint qcdn_signer_key_id(SignerHandle signer, out IntPtr outKeyId);
        [DllImport(Library)] internal static extern uint qcdn_signer_key_bits(SignerHandle signer, out uint outBits);
        [DllImport(Library)] internal static extern void qcdn_signer_free(IntPtr signer);
        [DllImport(Library)] internal static extern uint qcdn_signer_signed_live_url_json(SignerHandle signer, byte[] playbackId, byte[] optionsJson, out IntPtr outUrl);
        [DllImport(Library)] internal static extern uint qcdn_signer_signed_live_custom_domain_url_json(SignerHandle signer, byte[] domain, byte[] playbackId, byte[] optionsJson, out IntPtr outUrl);
        [DllImport(Library)] internal static extern uint qcdn_signer_signed_storage_url_json(SignerHandle signer, byte[] bucket, byte[] region, byte[] key, byte[] optionsJson, out IntPtr outUrl);
        [DllImport(Library)] internal static extern uint qcdn_signer_signed_storage_custom_domain_url_json(SignerHandle signer, byte[] domain, byte[] key, byte[] optionsJson, out IntPtr outUrl);
        [DllImport(Library)] internal static extern uint qcdn_signer_sign_url_json(SignerHandle signer, byte[] url, byte[] uri, byte[] optionsJson, out IntPtr outUrl);
        [DllImport(Library)] internal static extern uint qcdn_signer_signed_cookie_json(SignerHandle signer, byte[] uri, byte[] optionsJson, out IntPtr outSetCookie);
        [DllImport(Library)] internal static extern uint qcdn_signer_signed_cookie_fields_json(SignerHandle signer, byte[] uri, byte[] optionsJson, out IntPtr outJson);

        // Keys held elsewhere (External.cs), two-phase signing, batches and the cache
        [DllImport(Library)] internal static extern uint qcdn_signer_new_external(byte[] keyId, byte[] publicKey, UIntPtr publicKeyLen, SignCallback callback, IntPtr userData, FreeCallback freeUserData, uint timeoutMs, out SignerHandle outSigner);
        [DllImport(Library)] internal static extern uint qcdn_signer_from_pkcs11(byte[] module, byte[] tokenLabel, byte[] keyLabel, byte[] pin, byte[] keyId, out SignerHandle outSigner);
        [DllImport(Library)] internal static extern uint qcdn_signer_prepare_json(SignerHandle signer, byte[] uri, byte[] optionsJson, out IntPtr outSigningInput);
        [DllImport(Library)] internal static extern uint qcdn_signer_finish(SignerHandle signer, byte[] signingInput, byte[] sig, UIntPtr sigLen, out IntPtr outToken);
        [DllImport(Library)] internal static extern uint qcdn_signer_sign_many_json(SignerHandle signer, byte[] itemsJson, uint threads, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_signer_cached(SignerHandle signer, uint windowSecs, ulong capacity, [MarshalAs(UnmanagedType.U1)] bool cachePinnedClock, out SignerHandle outSigner);
        [DllImport(Library)] internal static extern uint qcdn_signer_cached_tokens(SignerHandle signer, out ulong outCount);

        // URLs and tokens
        [DllImport(Library)] internal static extern uint qcdn_live_playback_url(byte[] playbackId, byte[] token, out IntPtr outUrl);
        [DllImport(Library)] internal static extern uint qcdn_live_custom_domain_url(byte[] domain, byte[] playbackId, byte[] token, out IntPtr outUrl);
        [DllImport(Library)] internal static extern uint qcdn_storage_url(byte[] bucket, byte[] region, byte[] key, byte[] token, out IntPtr outUrl);
        [DllImport(Library)] internal static extern uint qcdn_storage_custom_domain_url(byte[] domain, byte[] key, byte[] token, out IntPtr outUrl);
        [DllImport(Library)] internal static extern uint qcdn_decode_unverified(byte[] token, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_audit(byte[] token, long now, out IntPtr outJson);

        // Streams
        [DllImport(Library)] internal static extern uint qcdn_stream_coverage(byte[] manifestUrl, byte[] manifestText, byte[] optionsJson, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_stream_check(byte[] url, byte[] optionsJson, out IntPtr outJson);

        // Verifier
        [DllImport(Library)] internal static extern uint qcdn_verifier_new(byte[] key, UIntPtr keyLen, out VerifierHandle outVerifier);
        [DllImport(Library)] internal static extern uint qcdn_verifier_new_jwk(byte[] jwk, out VerifierHandle outVerifier);
        [DllImport(Library)] internal static extern uint qcdn_verifier_from_signer(SignerHandle signer, out VerifierHandle outVerifier);
        [DllImport(Library)] internal static extern uint qcdn_verifier_new_jwks(byte[] jwksJson, out VerifierHandle outVerifier);
        [DllImport(Library)] internal static extern uint qcdn_verifier_new_keys_json(byte[] keysJson, out VerifierHandle outVerifier);
        [DllImport(Library)] internal static extern uint qcdn_verifier_jwks(VerifierHandle verifier, out IntPtr outJwks);
        [DllImport(Library)] internal static extern uint qcdn_verifier_verify_json(VerifierHandle verifier, byte[] token, byte[] optionsJson, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_verifier_explain_json(VerifierHandle verifier, byte[] url, byte[] optionsJson, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_verifier_explain_token(VerifierHandle verifier, byte[] token, byte[] optionsJson, out IntPtr outJson);
        [DllImport(Library)] internal static extern void qcdn_verifier_free(IntPtr verifier);

        // Client
        [DllImport(Library)] internal static extern uint qcdn_client_new_json(byte[] apiKey, byte[] optionsJson, byte[] binding, out ClientHandle outClient);
        [DllImport(Library)] internal static extern void qcdn_client_free(IntPtr client);
        [DllImport(Library)] internal static extern uint qcdn_client_create_domain(ClientHandle client, byte[] name, uint domainType, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_get_domain(ClientHandle client, byte[] id, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_list_domains(ClientHandle client, uint domainType, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_delete_domain(ClientHandle client, byte[] id, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_create_tls_subscription(ClientHandle client, byte[] domainId, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_get_tls_subscription(ClientHandle client, byte[] id, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_list_tls_subscriptions(ClientHandle client, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_delete_tls_subscription(ClientHandle client, byte[] id, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_create_signing_key(ClientHandle client, uint targetKind, byte[] target, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_get_signing_key(ClientHandle client, byte[] id, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_list_signing_keys(ClientHandle client, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_rename_signing_key(ClientHandle client, byte[] id, byte[] name, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_delete_signing_key(ClientHandle client, byte[] id, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_set_bucket_policy(ClientHandle client, byte[] bucket, uint policy, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_set_bucket_cors(ClientHandle client, byte[] bucket, byte[] corsJson, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_get_bucket_cors(ClientHandle client, byte[] bucket, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_delete_bucket_cors(ClientHandle client, byte[] bucket, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_delete_bucket_cors_header(ClientHandle client, byte[] bucket, byte[] header, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_purge_bucket_cache(ClientHandle client, byte[] bucket, out IntPtr outJson);
        [DllImport(Library)] internal static extern uint qcdn_client_purge_object_cache(ClientHandle client, byte[] bucket, byte[] path, out IntPtr outJson);
    }

    /// <summary><c>qcdn_sign_callback</c>: the C library calls it (inline, on the thread that signs) for each signature of an external signer.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int SignCallback(IntPtr userData, IntPtr input, UIntPtr inputLen, IntPtr sig, UIntPtr sigCap, IntPtr sigLen, IntPtr error, UIntPtr errorCap);

    /// <summary>The <c>free_user_data</c> of <c>qcdn_signer_new_external</c>: called once, when the last native signer sharing the callback is freed.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void FreeCallback(IntPtr userData);

    /// <summary>An owned <c>qcdn_signer*</c>, freed exactly once by <c>qcdn_signer_free</c>.</summary>
    internal sealed class SignerHandle : SafeHandle
    {
        private SignerHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        [ReliabilityContract(Consistency.WillNotCorruptState, Cer.Success)]
        protected override bool ReleaseHandle() { NativeMethods.qcdn_signer_free(handle); return true; }
    }

    /// <summary>An owned <c>qcdn_verifier*</c>, freed exactly once by <c>qcdn_verifier_free</c>.</summary>
    internal sealed class VerifierHandle : SafeHandle
    {
        private VerifierHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        [ReliabilityContract(Consistency.WillNotCorruptState, Cer.Success)]
        protected override bool ReleaseHandle() { NativeMethods.qcdn_verifier_free(handle); return true; }
    }

    /// <summary>An owned <c>qcdn_client*</c>, freed exactly once by <c>qcdn_client_free</c>.</summary>
    internal sealed class ClientHandle : SafeHandle
    {
        private ClientHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        [ReliabilityContract(Consistency.WillNotCorruptState, Cer.Success)]
        protected override bool ReleaseHandle() { NativeMethods.qcdn_client_free(handle); return true; }
    }

    /// <summary>UTF-8 in both directions, explicitly (no marshaller string conversions).</summary>
    internal static class Utf8
    {
        // Throws on lone surrogates instead of silently writing U+FFFD (a
        // token for another uri than the caller gave would be a wrong token).
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        /// <summary>NUL-terminated UTF-8 of <paramref name="s"/>; null stays null (the C side's NULL).</summary>
        internal static byte[] Encode(string s, string name)
        {
            if (s == null) return null;
            if (s.IndexOf('\0') >= 0)
                throw new InvalidArgumentException("INVALID_ARGUMENT: " + name + " contains a NUL character, which a C string cannot hold", false);
            int n;
            try { n = Strict.GetByteCount(s); }
            catch (EncoderFallbackException)
            {
                throw new InvalidArgumentException("INVALID_ARGUMENT: " + name + " is not valid Unicode (it holds a lone surrogate)", false);
            }
            var bytes = new byte[n + 1];
            Strict.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        /// <summary>As <see cref="Encode"/>, but null is refused (the parameter is required in C#).</summary>
        internal static byte[] Required(string s, string name)
        {
            if (s == null) throw new InvalidArgumentException("INVALID_ARGUMENT: " + name + " must not be null", true, name);
            return Encode(s, name);
        }

        /// <summary>Reads a library string as UTF-8 and frees it (also when the read fails).</summary>
        internal static unsafe string Take(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            try
            {
                byte* b = (byte*)p;
                int n = 0;
                while (b[n] != 0) n++;
                return Encoding.UTF8.GetString(b, n);
            }
            finally
            {
                NativeMethods.qcdn_string_free(p);
            }
        }

        /// <summary>A static library string (qcdn_version, qcdn_status_str): read, never freed.</summary>
        internal static unsafe string Static(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            byte* b = (byte*)p;
            int n = 0;
            while (b[n] != 0) n++;
            return Encoding.UTF8.GetString(b, n);
        }
    }
}
