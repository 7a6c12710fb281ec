using System;
using System.Collections.Generic;
using System.Threading;

namespace Qencode.Cdn
{
    /// <summary>
    /// A private signing key loaded once, for many RS256 tokens, URLs and
    /// cookies. Thread-safe: one signer may be used by any number of threads at
    /// once. Dispose it when done; a disposed signer throws
    /// <see cref="ObjectDisposedException"/> (disposing twice does nothing).
    /// </summary>
    /// <example><code>
    /// using (var signer = Signer.FromEnv())
    ///     return signer.SignedStorageUrl("my-bucket", "us-west", "videos/intro.mp4");
    /// </code></example>
    public sealed class Signer : IDisposable
    {
        internal readonly SignerHandle Handle;

        private Signer(SignerHandle handle)
        {
            Handle = handle;
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_key_id(handle, out p));
            KeyId = Utf8.Take(p);
            uint bits;
            Errors.Check(NativeMethods.qcdn_signer_key_bits(handle, out bits));
            KeyBits = (int)bits;
        }

        private static Signer Wrap(uint status, SignerHandle h)
        {
            if (status != 0)
            {
                var e = Errors.Last(status);
                h.Dispose();
                throw e;
            }
            return new Signer(h);
        }

        /// <summary>A signer for a private key given as text: PKCS#1 or PKCS#8 PEM, PEM whose newlines became <c>\n</c>, CRLF or spaces, or base64 of a PEM.</summary>
        /// <param name="keyId">The signing key id (the token's <c>kid</c>).</param>
        /// <param name="pem">The key text. The message of an <see cref="InvalidKeyException"/> names the format seen, never the key.</param>
        public static Signer FromPem(string keyId, string pem)
        {
            byte[] key = Utf8.Encode(pem, "pem");
            try { return FromBytes(keyId, key, key == null ? 0 : key.Length - 1); }
            finally { if (key != null) Array.Clear(key, 0, key.Length); }
        }

        /// <summary>A signer for a private key given as bytes: DER, or any text form <see cref="FromPem"/> accepts. The bytes are copied.</summary>
        public static Signer FromKey(string keyId, byte[] key)
        {
            return FromBytes(keyId, key, key == null ? 0 : key.Length);
        }

        private static Signer FromBytes(string keyId, byte[] key, int len)
        {
            SignerHandle h;
            uint st = NativeMethods.qcdn_signer_new(Utf8.Encode(keyId, "keyId"), key, (UIntPtr)(uint)len, out h);
            return Wrap(st, h);
        }

        /// <summary>
        /// The key from the <c>QENCODE_SIGNING_KEY</c> environment variable (any form, env-mangled newlines too) and,
        /// unless <paramref name="keyId"/> is given, the key id from <c>QENCODE_SIGNING_KEY_ID</c>. An unset or blank
        /// variable is an <see cref="InvalidArgumentException"/> naming it (never its value). Reads the process
        /// environment as the operating system holds it (on .NET, <c>Environment.SetEnvironmentVariable</c> does not change it).
        /// </summary>
        public static Signer FromEnv(string keyId = null)
        {
            SignerHandle h;
            uint st = NativeMethods.qcdn_signer_from_env(Utf8.Encode(keyId, "keyId"), out h);
            return Wrap(st, h);
        }

        /// <summary>The private key from a file (any form); the file's bytes are wiped from memory after loading.</summary>
        public static Signer FromFile(string keyId, string path)
        {
            SignerHandle h;
            uint st = NativeMethods.qcdn_signer_from_file(Utf8.Encode(keyId, "keyId"), Utf8.Encode(path, "path"), out h);
            return Wrap(st, h);
        }

        /// <summary>The key id (<c>kid</c>) written into every token.</summary>
        public string KeyId { get; private set; }

        /// <summary>The RSA modulus size in bits (2048, 3072, 4096 …).</summary>
        public int KeyBits { get; private set; }

        // Set by Dispose: later calls fail even while calls that started
        // before it still hold the SafeHandle (which frees the key after them).
        private int disposed;

        internal SignerHandle H
        {
            get
            {
                if (Volatile.Read(ref disposed) != 0 || Handle.IsClosed) throw new ObjectDisposedException("Signer");
                return Handle;
            }
        }

        /// <summary>The public key as SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
        public string PublicKeyPem()
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_public_key_pem(H, out p));
            return Utf8.Take(p);
        }

        /// <summary>The public key as a JWK JSON object (<c>kty</c>, <c>kid</c>, <c>alg</c>, <c>use</c>, <c>n</c>, <c>e</c>), for a JWKS endpoint.</summary>
        public string PublicKeyJwk()
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_public_key_jwk(H, out p));
            return Utf8.Take(p);
        }

        /// <summary>An RS256 token for <paramref name="uri"/>: a playback id, an object key or key prefix, or <c>""</c> for a whole bucket.</summary>
        public string Sign(string uri, SignOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_sign_json(H, Utf8.Encode(uri, "uri"), SignOptions.Encode(options), out p));
            return Utf8.Take(p);
        }

        /// <summary><c>https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8?auth=…</c> (the token's <c>uri</c> is the playback id).</summary>
        public string SignedLiveUrl(string playbackId, SignOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_signed_live_url_json(H, Utf8.Encode(playbackId, "playbackId"), SignOptions.Encode(options), out p));
            return Utf8.Take(p);
        }

        /// <summary><c>https://{domain}/{playbackId}.m3u8?auth=…</c>.</summary>
        public string SignedLiveCustomDomainUrl(string domain, string playbackId, SignOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_signed_live_custom_domain_url_json(H, Utf8.Encode(domain, "domain"), Utf8.Encode(playbackId, "playbackId"), SignOptions.Encode(options), out p));
            return Utf8.Take(p);
        }

        /// <summary><c>https://{bucket}.media-storage.{region}.qencode.com/{key}?auth=…</c> (the token's <c>uri</c> is the key without a leading <c>/</c>).</summary>
        public string SignedStorageUrl(string bucket, string region, string key, SignOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_signed_storage_url_json(H, Utf8.Encode(bucket, "bucket"), Utf8.Encode(region, "region"), Utf8.Encode(key, "key"), SignOptions.Encode(options), out p));
            return Utf8.Take(p);
        }

        /// <summary><c>https://{domain}/{key}?auth=…</c>.</summary>
        public string SignedStorageCustomDomainUrl(string domain, string key, SignOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_signed_storage_custom_domain_url_json(H, Utf8.Encode(domain, "domain"), Utf8.Encode(key, "key"), SignOptions.Encode(options), out p));
            return Utf8.Take(p);
        }

        /// <summary>Signs <paramref name="uri"/> and puts the token into any URL's <c>auth</c> query parameter (replacing one already there).</summary>
        public string SignUrl(string url, string uri, SignOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_sign_url_json(H, Utf8.Encode(url, "url"), Utf8.Encode(uri, "uri"), SignOptions.Encode(options), out p));
            return Utf8.Take(p);
        }

        /// <summary>
        /// A <c>Qencode-Auth-Token</c> cookie for <paramref name="uri"/> (for HLS/DASH the folder of the master
        /// playlist, e.g. <c>videos/a/</c>) as the value of a <c>Set-Cookie</c> header.
        /// </summary>
        public string SignedCookie(string uri, SignOptions options = null, CookieOptions cookie = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_signed_cookie_json(H, Utf8.Encode(uri, "uri"), CookieOptions.Encode(options, cookie), out p));
            return Utf8.Take(p);
        }

        /// <summary>The cookie of <see cref="SignedCookie"/> as its parts, for frameworks that set cookies from parts (ASP.NET Core's <c>Response.Cookies.Append</c>).</summary>
        public CookieFields SignedCookieFields(string uri, SignOptions options = null, CookieOptions cookie = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_signed_cookie_fields_json(H, Utf8.Encode(uri, "uri"), CookieOptions.Encode(options, cookie), out p));
            return new CookieFields(Json.Object(Utf8.Take(p), "the cookie fields"));
        }

        /// <summary>What a token grants that may be more than meant (no key needed; nothing is verified).</summary>
        public IReadOnlyList<AuditWarning> Audit(string token) { return Tokens.Audit(token); }

        /// <summary>Frees the native key once calls already running on other threads return. Later calls throw <see cref="ObjectDisposedException"/>; a second Dispose does nothing.</summary>
        public void Dispose() { Volatile.Write(ref disposed, 1); Handle.Dispose(); }

        /// <inheritdoc/>
        public override string ToString() { return "Signer(KeyId=" + KeyId + ", KeyBits=" + KeyBits + (Volatile.Read(ref disposed) != 0 ? ", disposed)" : ")"); }
    }

    /// <summary>A signed cookie as its parts (<see cref="Signer.SignedCookieFields"/>).</summary>
    public sealed class CookieFields
    {
        internal CookieFields(Dictionary<string, object> d)
        {
            object v;
            Name = Json.Str(d, "name");
            Value = Json.Str(d, "value");
            Domain = Json.Str(d, "domain");
            Path = Json.Str(d, "path");
            MaxAge = d.TryGetValue("max_age", out v) && v is long ? (TimeSpan?)TimeSpan.FromSeconds((long)v) : null;
            Secure = d.TryGetValue("secure", out v) && v is bool && (bool)v;
            HttpOnly = d.TryGetValue("http_only", out v) && v is bool && (bool)v;
            var s = Json.Str(d, "same_site");
            SameSite = s == "Strict" ? SameSite.Strict : s == "None" ? SameSite.None : SameSite.Lax;
        }
        /// <summary><c>Qencode-Auth-Token</c>.</summary>
        public string Name { get; private set; }
        /// <summary>The token (a credential: do not log it).</summary>
        public string Value { get; private set; }
        /// <summary>The <c>Domain</c> attribute, or null (host-only).</summary>
        public string Domain { get; private set; }
        /// <summary>The <c>Path</c> attribute.</summary>
        public string Path { get; private set; }
        /// <summary>The <c>Max-Age</c>; null for a token that never expires (a session cookie).</summary>
        public TimeSpan? MaxAge { get; private set; }
        /// <summary>The <c>Secure</c> attribute.</summary>
        public bool Secure { get; private set; }
        /// <summary>The <c>HttpOnly</c> attribute.</summary>
        public bool HttpOnly { get; private set; }
        /// <summary>The <c>SameSite</c> attribute.</summary>
        public SameSite SameSite { get; private set; }
        /// <inheritdoc/>
        public override string ToString() { return "CookieFields(Name=" + Name + ", Domain=" + Domain + ", Path=" + Path + ", Value=<redacted>)"; }
    }
}
