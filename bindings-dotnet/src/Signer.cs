using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

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

        // The managed function of a Signer.External (and of the Cached() signers made
        // from it), else null. Only read here: the native signer keeps it alive
        // through a GCHandle that the library releases (see External.cs).
        private readonly ExternalSignerState external;

        /// <summary>For the tests: the managed state of an external signer's function, else null.</summary>
        internal ExternalSignerState ExternalState { get { return external; } }

        private Signer(SignerHandle handle, ExternalSignerState external = null, bool isExternal = false, TimeSpan? cacheWindow = null)
        {
            this.external = external;
            IsExternal = isExternal || external != null;
            CacheWindow = cacheWindow;
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

        /// <summary>
        /// A signer whose private key never enters this process (a cloud KMS, Vault, a signing service):
        /// <paramref name="sign"/> receives the exact bytes to sign (the ASCII JWS signing input) and returns
        /// their raw RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256, as long as the modulus: 256 bytes for
        /// RSA-2048). The library builds the token exactly as for a local key (byte-identical tokens for the
        /// same key) and verifies every signature with <paramref name="publicKey"/> before it returns a token.
        /// A function that throws (the exception becomes the <see cref="Exception.InnerException"/>), returns
        /// null, the wrong number of bytes or a signature that does not verify gives a
        /// <see cref="SignerFailedException"/>, never a token.
        /// </summary>
        /// <remarks>
        /// <paramref name="sign"/> is called inline, on the thread that asks for the token (also by
        /// <see cref="SignMany(IEnumerable{SignRequest}, int?)"/>, on its worker threads): it may be called by
        /// several threads at once, so make it thread-safe. The library puts no deadline on it: bound your
        /// KMS call yourself (an <c>HttpClient.Timeout</c>, a <c>CancellationToken</c> with a timeout), or give an
        /// asynchronous function (<see cref="External(string, string, Func{byte[], CancellationToken, Task{byte[]}})"/>)
        /// and call <see cref="SignAsync"/>. The delegate is kept
        /// alive until this signer and every <see cref="Cached"/> signer made from it are disposed (or finalized).
        /// </remarks>
        /// <param name="keyId">The <c>kid</c> of the tokens (the id Qencode knows the signing key by).</param>
        /// <param name="publicKey">The key's public half: SPKI or PKCS#1 PEM, base64 of DER, or a JWK.</param>
        /// <param name="sign">The signing function.</param>
        public static Signer External(string keyId, string publicKey, Func<byte[], byte[]> sign)
        {
            byte[] key = Utf8.Encode(publicKey, "publicKey");
            return NewExternal(keyId, key, key == null ? 0 : key.Length - 1, sign);
        }

        /// <summary>As <see cref="External(string, string, Func{byte[], byte[]})"/>, with the public key as bytes: DER SubjectPublicKeyInfo (what AWS KMS <c>GetPublicKey</c> returns) or any text form.</summary>
        public static Signer External(string keyId, byte[] publicKey, Func<byte[], byte[]> sign)
        {
            return NewExternal(keyId, publicKey, publicKey == null ? 0 : publicKey.Length, sign);
        }

        /// <summary>
        /// An external signer whose function is asynchronous (an <c>await</c>ed KMS client): <see cref="SignAsync"/>
        /// awaits it without blocking a thread (<see cref="Prepare"/>, then the function, then
        /// <see cref="PreparedToken.Finish"/>), and is the way to sign with it. The synchronous methods
        /// (<see cref="Sign"/>, the signed URLs, cookies, <see cref="SignMany(IEnumerable{SignRequest}, int?)"/>)
        /// also work: they block their thread until the function's task completes (it is started on the thread
        /// pool, so no SynchronizationContext is needed). Failures as for
        /// <see cref="External(string, string, Func{byte[], byte[]})"/>.
        /// </summary>
        public static Signer External(string keyId, string publicKey, Func<byte[], CancellationToken, Task<byte[]>> signAsync)
        {
            if (signAsync == null) throw new InvalidArgumentException("INVALID_ARGUMENT: signAsync must not be null (the function that signs)", true, "signAsync");
            byte[] key = Utf8.Encode(publicKey, "publicKey");
            return NewExternal(keyId, key, key == null ? 0 : key.Length - 1, new ExternalSignerState(signAsync));
        }

        /// <summary>As <see cref="External(string, string, Func{byte[], CancellationToken, Task{byte[]}})"/>, with the public key as bytes (DER, or any text form).</summary>
        public static Signer External(string keyId, byte[] publicKey, Func<byte[], CancellationToken, Task<byte[]>> signAsync)
        {
            if (signAsync == null) throw new InvalidArgumentException("INVALID_ARGUMENT: signAsync must not be null (the function that signs)", true, "signAsync");
            return NewExternal(keyId, publicKey, publicKey == null ? 0 : publicKey.Length, new ExternalSignerState(signAsync));
        }

        private static Signer NewExternal(string keyId, byte[] publicKey, int len, Func<byte[], byte[]> sign)
        {
            if (sign == null) throw new InvalidArgumentException("INVALID_ARGUMENT: sign must not be null (the function that signs)", true, "sign");
            return NewExternal(keyId, publicKey, len, new ExternalSignerState(sign));
        }

        private static Signer NewExternal(string keyId, byte[] publicKey, int len, ExternalSignerState state)
        {
            byte[] kid = Utf8.Encode(keyId, "keyId");
            var gc = GCHandle.Alloc(state);
            SignerHandle h;
            uint st;
            try
            {
                // timeout_ms = 0: the callback runs inline on the calling (managed) thread.
                st = NativeMethods.qcdn_signer_new_external(kid, publicKey, (UIntPtr)(uint)len, ExternalCallbacks.SignFn,
                    GCHandle.ToIntPtr(gc), ExternalCallbacks.FreeFn, 0, out h);
            }
            catch
            {
                gc.Free();
                throw;
            }
            if (st != 0)
            {
                // On failure the library did not take user_data: it is still ours to free.
                var e = Errors.Last(st);
                h.Dispose();
                gc.Free();
                throw e;
            }
            return new Signer(h, state);
        }

        /// <summary>
        /// A signer whose RSA private key stays on a PKCS#11 token (an HSM, a smart card, SoftHSM2): loads
        /// <paramref name="module"/> (e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>) at run time, logs in to the
        /// token labelled <paramref name="tokenLabel"/> with <paramref name="pin"/> and signs with the private key
        /// labelled <paramref name="keyLabel"/>; the public key is read from the token and every signature is
        /// verified with it. A module, token or key that cannot be found, a wrong PIN or a key that is not RSA is an
        /// <see cref="InvalidKeyException"/> saying which (never the PIN); a token that fails later is a
        /// <see cref="SignerFailedException"/>. Signs from any thread (signatures of one signer are serialised by its session).
        /// </summary>
        public static Signer FromPkcs11(string module, string tokenLabel, string keyLabel, string pin, string keyId)
        {
            byte[] pinBytes = Utf8.Encode(pin, "pin");
            try
            {
                SignerHandle h;
                uint st = NativeMethods.qcdn_signer_from_pkcs11(Utf8.Encode(module, "module"), Utf8.Encode(tokenLabel, "tokenLabel"),
                    Utf8.Encode(keyLabel, "keyLabel"), pinBytes, Utf8.Encode(keyId, "keyId"), out h);
                if (st != 0)
                {
                    var e = Errors.Last(st);
                    h.Dispose();
                    throw e;
                }
                return new Signer(h, null, true);
            }
            finally { if (pinBytes != null) Array.Clear(pinBytes, 0, pinBytes.Length); }
        }

        /// <summary>Whether the private key is held elsewhere (<see cref="External(string, string, Func{byte[], byte[]})"/>, <see cref="FromPkcs11"/>, or a <see cref="Cached"/> signer of one).</summary>
        public bool IsExternal { get; private set; }

        /// <summary>The cache window of a <see cref="Cached"/> signer; null for a signer without a cache.</summary>
        public TimeSpan? CacheWindow { get; private set; }

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

        // ---- two-phase signing ---------------------------------------------------------

        /// <summary>
        /// The first half of a signature made elsewhere, for signers that answer asynchronously (an
        /// <c>await</c>ed KMS call): the exact bytes to sign, made with the checks and options of
        /// <see cref="Sign"/>. Sign <see cref="PreparedToken.SigningInput"/> with RS256 anywhere, then call
        /// <see cref="PreparedToken.Finish"/>. Works with every signer, local ones too (a cached signer does
        /// not consult its cache here).
        /// </summary>
        /// <example><code>
        /// PreparedToken prepared = signer.Prepare("videos/intro/", options);
        /// byte[] signature = await kms.SignAsync(prepared.SigningInput);   // your async KMS client
        /// string token = prepared.Finish(signature);                        // SignerFailedException if it does not verify
        /// </code></example>
        public PreparedToken Prepare(string uri, SignOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_prepare_json(H, Utf8.Encode(uri, "uri"), SignOptions.Encode(options), out p));
            return new PreparedToken(this, Utf8.Take(p));
        }

        /// <summary>
        /// The second half of <see cref="Prepare"/>: the token, once <paramref name="signature"/> (the raw RS256
        /// bytes over <paramref name="signingInput"/>) verifies with this signer's public key. A signature of the
        /// wrong length or that does not verify is a <see cref="SignerFailedException"/>; a signing input this
        /// signer did not prepare (another key id, not a token payload) an <see cref="InvalidArgumentException"/>.
        /// </summary>
        public string Finish(string signingInput, byte[] signature)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_finish(H, Utf8.Encode(signingInput, "signingInput"), signature,
                (UIntPtr)(uint)(signature == null ? 0 : signature.Length), out p));
            return Utf8.Take(p);
        }

        /// <summary>
        /// A token without blocking a thread on the signer. For an external signer made with an asynchronous
        /// function (<see cref="External(string, string, Func{byte[], CancellationToken, Task{byte[]}})"/>):
        /// <see cref="Prepare"/>, <c>await</c> the function (given <paramref name="cancellationToken"/>), then
        /// <see cref="PreparedToken.Finish"/> — a cached signer's cache is not consulted on this path. Every other
        /// signer signs at once, on the calling thread (a local RSA signature takes about a millisecond; an external
        /// signer's synchronous function is called inline), and returns a completed task.
        /// What the function throws is the InnerException of a <see cref="SignerFailedException"/>; a cancellation
        /// stays an <see cref="OperationCanceledException"/>.
        /// </summary>
        public async Task<string> SignAsync(string uri, SignOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (external == null || external.SignAsync == null) return Sign(uri, options);
            return await FinishAsync(Prepare(uri, options), cancellationToken).ConfigureAwait(false);
        }

        // Awaits the asynchronous function of this external signer for a prepared token, then finishes it.
        private async Task<string> FinishAsync(PreparedToken prepared, CancellationToken cancellationToken)
        {
            byte[] signature;
            try
            {
                var task = external.SignAsync(prepared.SigningInput, cancellationToken);
                if (task == null) throw new InvalidOperationException("the function returned null instead of a Task");
                signature = await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
            catch (Exception e)
            {
                throw new SignerFailedException("SIGNER_FAILED: the external signer of key `" + KeyId + "` failed: " + ExternalCallbacks.Describe(e), e);
            }
            if (signature == null)
                throw new SignerFailedException("SIGNER_FAILED: the external signer of key `" + KeyId + "` failed: the function returned null instead of a signature", null);
            return prepared.Finish(signature);
        }

        // ---- batches ---------------------------------------------------------------------

        /// <summary>
        /// Signs a batch on every core (or at most <paramref name="threads"/> threads, the calling one included),
        /// returning one <see cref="SignResult"/> per item, in order: a bad item gets its own error and never fails
        /// the batch. Each token is exactly what <see cref="Sign"/> gives. A null item or uri is an
        /// <see cref="InvalidArgumentException"/> for the whole call.
        /// </summary>
        /// <remarks>
        /// Local and PKCS#11 keys are signed by the library's own threads. The function of an
        /// <see cref="External(string, string, Func{byte[], byte[]})"/> signer is called on managed threads only
        /// (the calling thread and thread-pool threads, at most <paramref name="threads"/> at once), so
        /// <paramref name="threads"/> bounds how many calls to your KMS are in flight.
        /// </remarks>
        public IReadOnlyList<SignResult> SignMany(IEnumerable<SignRequest> items, int? threads = null)
        {
            var batch = new Batch(items);
            uint n = Threads(threads);
            return external != null ? SignManyManaged(batch.Encoded, batch.Options, n) : SignManyNative(batch.Uris, batch.Options, n);
        }

        // A batch converted before anything is signed: a value C# cannot pass (a null item or uri, a uri a C
        // string cannot carry, a claim with no JSON form) fails the call; everything else is the item's own
        // result, decided by the core.
        private sealed class Batch
        {
            internal readonly List<string> Uris = new List<string>();
            internal readonly List<byte[]> Encoded = new List<byte[]>();
            internal readonly List<string> Options = new List<string>();

            internal Batch(IEnumerable<SignRequest> items)
            {
                if (items == null) throw new InvalidArgumentException("INVALID_ARGUMENT: items must not be null", true, "items");
                int i = 0;
                foreach (var item in items)
                {
                    if (item == null) throw new InvalidArgumentException("INVALID_ARGUMENT: items[" + i + "] is null", true, "items");
                    Encoded.Add(Utf8.Required(item.Uri, "items[" + i + "].Uri"));
                    Uris.Add(item.Uri);
                    string o = null;
                    if (item.Options != null)
                    {
                        var w = new JsonObjectWriter();
                        item.Options.WriteTo(w);
                        o = w.ToString();
                    }
                    Options.Add(o);
                    i++;
                }
            }
        }

        /// <summary>
        /// <see cref="SignMany(IEnumerable{SignRequest}, int?)"/> without blocking the caller: one
        /// <see cref="SignResult"/> per item, in order. For an external signer with an asynchronous function, each
        /// item is prepared, its signature awaited (at most <paramref name="concurrency"/> at once; null = the number
        /// of cores) and finished, and no thread waits for the KMS; every other signer runs
        /// <see cref="SignMany(IEnumerable{SignRequest}, int?)"/> on the thread pool (<paramref name="concurrency"/>
        /// is then its thread count). A cancellation cancels the whole call.
        /// </summary>
        public async Task<IReadOnlyList<SignResult>> SignManyAsync(IEnumerable<SignRequest> items, int? concurrency = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new Batch(items);
            uint n = Threads(concurrency);
            if (external == null || external.SignAsync == null)
            {
                _ = H; // ObjectDisposedException now, not on the pool
                return await Task.Run(() => external != null ? SignManyManaged(batch.Encoded, batch.Options, n) : SignManyNative(batch.Uris, batch.Options, n), cancellationToken).ConfigureAwait(false);
            }
            using (var gate = new SemaphoreSlim(n == 0 ? Environment.ProcessorCount : (int)Math.Min(n, (uint)int.MaxValue)))
            {
                var tasks = new List<Task<SignResult>>(batch.Encoded.Count);
                for (int i = 0; i < batch.Encoded.Count; i++) tasks.Add(SignOneAsync(batch.Encoded[i], batch.Options[i], gate, cancellationToken));
                return Array.AsReadOnly(await Task.WhenAll(tasks).ConfigureAwait(false));
            }
        }

        /// <summary>As <see cref="SignManyAsync(IEnumerable{SignRequest}, int?, CancellationToken)"/>, every uri with the same <paramref name="options"/>.</summary>
        public Task<IReadOnlyList<SignResult>> SignManyAsync(IEnumerable<string> uris, SignOptions options = null, int? concurrency = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (uris == null) throw new InvalidArgumentException("INVALID_ARGUMENT: uris must not be null", true, "uris");
            var items = new List<SignRequest>();
            foreach (var u in uris) items.Add(new SignRequest(u, options));
            return SignManyAsync(items, concurrency, cancellationToken);
        }

        private async Task<SignResult> SignOneAsync(byte[] uri, string options, SemaphoreSlim gate, CancellationToken cancellationToken)
        {
            PreparedToken prepared;
            try
            {
                IntPtr p;
                Errors.Check(NativeMethods.qcdn_signer_prepare_json(H, uri, options == null ? null : Utf8.Encode(options, "options"), out p));
                prepared = new PreparedToken(this, Utf8.Take(p));
            }
            catch (Exception e) when (e is IQencodeError) { return new SignResult(null, e); }
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try { return new SignResult(await FinishAsync(prepared, cancellationToken).ConfigureAwait(false), null); }
            catch (Exception e) when (e is IQencodeError) { return new SignResult(null, e); }
            finally { gate.Release(); }
        }

        /// <summary>As <see cref="SignMany(IEnumerable{SignRequest}, int?)"/>, every uri with the same <paramref name="options"/>.</summary>
        public IReadOnlyList<SignResult> SignMany(IEnumerable<string> uris, SignOptions options = null, int? threads = null)
        {
            if (uris == null) throw new InvalidArgumentException("INVALID_ARGUMENT: uris must not be null", true, "uris");
            var items = new List<SignRequest>();
            foreach (var u in uris) items.Add(new SignRequest(u, options));
            return SignMany(items, threads);
        }

        private static uint Threads(int? threads)
        {
            if (!threads.HasValue) return 0; // the C ABI's "every core"
            if (threads.Value < 1) throw new InvalidArgumentException("INVALID_ARGUMENT: threads must be at least 1 (null: every core), got " + threads.Value, false, "threads");
            return (uint)threads.Value;
        }

        private IReadOnlyList<SignResult> SignManyNative(List<string> uris, List<string> options, uint threads)
        {
            var sb = new System.Text.StringBuilder("[");
            for (int i = 0; i < uris.Count; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append("{\"uri\":");
                Json.Quote(sb, uris[i]);
                if (options[i] != null) sb.Append(",\"options\":").Append(options[i]);
                sb.Append('}');
            }
            sb.Append(']');
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_signer_sign_many_json(H, Utf8.Encode(sb.ToString(), "items"), threads, out p));
            var doc = Json.Array(Utf8.Take(p), "the batch's results");
            if (doc.Count != uris.Count) throw new InternalException("INTERNAL: the batch gave " + doc.Count + " results for " + uris.Count + " items");
            var results = new List<SignResult>(doc.Count);
            foreach (var r in doc)
            {
                var d = r as Dictionary<string, object>;
                object v;
                if (d != null && d.TryGetValue("token", out v) && v is string) results.Add(new SignResult((string)v, null));
                else results.Add(new SignResult(null, Errors.FromItem(d != null && d.TryGetValue("error", out v) ? v as Dictionary<string, object> : null)));
            }
            return results.AsReadOnly();
        }

        // An external signer's function runs on managed threads only: each item is signed inline
        // (qcdn_signer_sign_json) on the calling thread or a thread-pool thread, so what the function
        // throws is the InnerException of that item's error.
        private IReadOnlyList<SignResult> SignManyManaged(List<byte[]> uris, List<string> options, uint threads)
        {
            var results = new SignResult[uris.Count];
            Action<int> one = i =>
            {
                try
                {
                    IntPtr p;
                    Errors.Check(NativeMethods.qcdn_signer_sign_json(H, uris[i], options[i] == null ? null : Utf8.Encode(options[i], "options"), out p));
                    results[i] = new SignResult(Utf8.Take(p), null);
                }
                catch (Exception e) when (e is IQencodeError) { results[i] = new SignResult(null, e); }
            };
            int max = threads == 0 ? Environment.ProcessorCount : (int)Math.Min(threads, (uint)int.MaxValue);
            if (max <= 1 || uris.Count < 2)
                for (int i = 0; i < uris.Count; i++) one(i);
            else
            {
                try { Parallel.For(0, uris.Count, new ParallelOptions { MaxDegreeOfParallelism = max }, one); }
                catch (AggregateException e) when (e.InnerExceptions.Count > 0)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
            }
            return Array.AsReadOnly(results);
        }

        // ---- the token cache ----------------------------------------------------------------

        /// <summary>
        /// A signer that caches its tokens: requests for the same uri, claims and lifetime inside one
        /// <paramref name="window"/> (whole seconds, 1 s to a day) get the same token, whose <c>exp</c> is rounded
        /// <b>up</b> to a multiple of the window — valid at least the lifetime asked for and at most one window
        /// longer — so a busy uri costs one RSA signature per window instead of one per request. Never cached:
        /// tokens that never expire, and calls with <see cref="SignOptions.Now"/> set unless
        /// <paramref name="cachePinnedClock"/> (for tests). <paramref name="capacity"/> bounds the tokens kept
        /// (least recently used dropped first; null = 100 000). Every signing method of the new signer goes through
        /// the cache; this signer stays usable and uncached. Dispose both.
        /// </summary>
        public Signer Cached(TimeSpan window, int? capacity = null, bool cachePinnedClock = false)
        {
            if (window.Ticks < 0 || window.Ticks % TimeSpan.TicksPerSecond != 0)
                throw new InvalidArgumentException("INVALID_ARGUMENT: the cache window must be whole seconds from 1 s to 1 day, got " + window, false, "window");
            long secs = window.Ticks / TimeSpan.TicksPerSecond;
            if (capacity.HasValue && capacity.Value < 1)
                throw new InvalidArgumentException("INVALID_ARGUMENT: the cache capacity must be at least 1 (null: the default), got " + capacity.Value, false, "capacity");
            SignerHandle h;
            uint st = NativeMethods.qcdn_signer_cached(H, secs > uint.MaxValue ? uint.MaxValue : (uint)secs,
                capacity.HasValue ? (ulong)capacity.Value : 0UL, cachePinnedClock, out h);
            if (st != 0)
            {
                var e = Errors.Last(st);
                h.Dispose();
                throw e;
            }
            return new Signer(h, external, IsExternal, TimeSpan.FromSeconds(secs));
        }

        /// <summary>How many tokens the cache of a <see cref="Cached"/> signer holds now (0 for a signer without one).</summary>
        public long CachedTokens
        {
            get
            {
                ulong n;
                Errors.Check(NativeMethods.qcdn_signer_cached_tokens(H, out n));
                return n > long.MaxValue ? long.MaxValue : (long)n;
            }
        }

        /// <summary>Frees the native key once calls already running on other threads return. Later calls throw <see cref="ObjectDisposedException"/>; a second Dispose does nothing.</summary>
        public void Dispose() { Volatile.Write(ref disposed, 1); Handle.Dispose(); }

        /// <inheritdoc/>
        public override string ToString()
        {
            return "Signer(KeyId=" + KeyId + ", KeyBits=" + KeyBits + (IsExternal ? ", External" : "")
                + (CacheWindow.HasValue ? ", CacheWindow=" + (long)CacheWindow.Value.TotalSeconds + "s" : "")
                + (Volatile.Read(ref disposed) != 0 ? ", disposed)" : ")");
        }
    }

    /// <summary>A signature to be made elsewhere (<see cref="Signer.Prepare"/>): the bytes to sign, and <see cref="Finish"/> for the token.</summary>
    public sealed class PreparedToken
    {
        private readonly Signer signer;
        private readonly string signingInput;

        internal PreparedToken(Signer signer, string signingInput) { this.signer = signer; this.signingInput = signingInput; }

        /// <summary>The exact bytes to sign with RS256 (the ASCII JWS signing input <c>base64url(header).base64url(payload)</c>); a new copy each time.</summary>
        public byte[] SigningInput { get { return System.Text.Encoding.ASCII.GetBytes(signingInput); } }

        /// <summary>The signing input as text, e.g. to hand to another process that calls <see cref="Signer.Finish"/>.</summary>
        public string SigningInputText { get { return signingInput; } }

        /// <summary>The token, once <paramref name="signature"/> verifies with the signer's public key (<see cref="SignerFailedException"/> otherwise). The signer must not be disposed yet.</summary>
        public string Finish(byte[] signature) { return signer.Finish(signingInput, signature); }

        /// <inheritdoc/>
        public override string ToString() { return "PreparedToken(KeyId=" + signer.KeyId + ")"; }
    }

    /// <summary>One item of <see cref="Signer.SignMany(IEnumerable{SignRequest}, int?)"/>: a uri and its options.</summary>
    public sealed class SignRequest
    {
        /// <summary>An item: <paramref name="uri"/> signed with <paramref name="options"/> (null: the defaults).</summary>
        public SignRequest(string uri, SignOptions options = null) { Uri = uri; Options = options; }
        /// <summary>What the token grants (as for <see cref="Signer.Sign"/>).</summary>
        public string Uri { get; private set; }
        /// <summary>The item's options, or null.</summary>
        public SignOptions Options { get; private set; }
        /// <inheritdoc/>
        public override string ToString() { return "SignRequest(" + Uri + ")"; }
    }

    /// <summary>The result of one item of a batch: its token, or the exception that item failed with.</summary>
    public sealed class SignResult
    {
        private readonly string token;

        internal SignResult(string token, Exception error) { this.token = token; Error = error; }

        /// <summary>Whether the item was signed.</summary>
        public bool Ok { get { return Error == null; } }

        /// <summary>The item's token; throws the item's <see cref="Error"/> when it failed (so a failed item never becomes a URL by accident).</summary>
        public string Token
        {
            get
            {
                if (Error != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(Error).Throw();
                return token;
            }
        }

        /// <summary>Why the item failed (an <see cref="IQencodeError"/>: <see cref="InvalidArgumentException"/>, <see cref="SignerFailedException"/> …), or null.</summary>
        public Exception Error { get; private set; }

        /// <inheritdoc/>
        public override string ToString() { return Ok ? "SignResult(Ok, Token=<redacted>)" : "SignResult(" + ((IQencodeError)Error).CodeName + ")"; }
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
