using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Threading;
using System.Threading.Tasks;

namespace Qencode.Cdn
{
    /// <summary>The type of a playback domain.</summary>
    public enum DomainType
    {
        /// <summary><c>"live"</c>: live-streaming playback.</summary>
        Live = 1,
        /// <summary><c>"storage"</c>: media-storage playback.</summary>
        Storage = 2,
    }

    /// <summary>What a new signing key signs for.</summary>
    public enum SigningKeyTarget
    {
        /// <summary>A live stream, by stream id.</summary>
        Stream = 0,
        /// <summary>A playback domain, by domain id.</summary>
        Domain = 1,
        /// <summary>A media-storage bucket, by name.</summary>
        Bucket = 2,
    }

    /// <summary>A bucket's access policy.</summary>
    public enum BucketPolicy
    {
        /// <summary><c>"public"</c>: anyone may read.</summary>
        Public = 0,
        /// <summary><c>"authenticated"</c>: every request needs a signed token.</summary>
        Authenticated = 1,
    }

    /// <summary>
    /// A client of the Qencode Content Delivery management API for one API key.
    /// Thread-safe (share one per key); it fetches, caches and renews its access
    /// token itself, retries what is safe to retry, and verifies TLS. Every
    /// method blocks; each has an <c>…Async</c> twin that runs it on the thread
    /// pool and honours its <see cref="CancellationToken"/> until the call
    /// starts (a started HTTP call runs to its own deadline). The API key never
    /// appears in an exception or in <see cref="ToString"/>.
    /// </summary>
    public sealed class Client : IDisposable
    {
        private readonly ClientHandle handle;
        private readonly string apiUrl;

        /// <summary>A client for <paramref name="apiKey"/>. No I/O happens here.</summary>
        public Client(string apiKey, ClientOptions options = null) : this(Utf8.Encode(apiKey, "apiKey"), true, options) { }

        private Client(byte[] apiKey, bool keyGiven, ClientOptions options)
        {
            if (keyGiven && apiKey == null) throw new InvalidArgumentException("INVALID_ARGUMENT: apiKey must not be null (Client.FromEnv reads QENCODE_API_KEY)", true, "apiKey");
            ClientHandle h;
            uint st;
            try { st = NativeMethods.qcdn_client_new_json(apiKey, ClientOptions.Encode(options), Utf8.Encode("dotnet", "binding"), out h); }
            finally { if (apiKey != null) Array.Clear(apiKey, 0, apiKey.Length); }
            if (st != 0)
            {
                var e = Errors.Last(st);
                h.Dispose();
                throw e;
            }
            handle = h;
            apiUrl = options != null && options.ApiUrl != null ? options.ApiUrl : "https://api-cdn.qencode.com";
        }

        /// <summary>A client for the API key in <c>QENCODE_API_KEY</c> (trimmed; unset or blank is an <see cref="InvalidArgumentException"/> naming the variable).</summary>
        public static Client FromEnv(ClientOptions options = null) { return new Client(null, false, options); }

        private int disposed;

        private ClientHandle H
        {
            get
            {
                if (Volatile.Read(ref disposed) != 0 || handle.IsClosed) throw new ObjectDisposedException("Client");
                return handle;
            }
        }

        private static string Doc(uint status, IntPtr p)
        {
            if (status != 0) throw Errors.Last(status);
            return Utf8.Take(p);
        }

        private static uint DomainTypeNumber(DomainType t)
        {
            if (t != DomainType.Live && t != DomainType.Storage) throw new InvalidArgumentException("INVALID_ARGUMENT: " + (int)t + " is not a DomainType", false, "type");
            return (uint)t;
        }

        private static IReadOnlyList<T> List<T>(string json, string what, Func<Dictionary<string, object>, T> make)
        {
            var list = new List<T>();
            foreach (var item in Json.Array(json, what))
            {
                var d = item as Dictionary<string, object>;
                if (d == null) throw new DecodeException("DECODE: an element of " + what + " is not an object");
                list.Add(make(d));
            }
            return list.AsReadOnly();
        }

        // ---- domains --------------------------------------------------------------

        /// <summary>Adds a custom playback domain (at most 20).</summary>
        public Domain CreateDomain(string domainName, DomainType type)
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_create_domain(H, Utf8.Encode(domainName, "domainName"), DomainTypeNumber(type), out p);
            return new Domain(Json.Object(Doc(st, p), "the domain"));
        }

        /// <summary>One domain by id.</summary>
        public Domain GetDomain(string domainId)
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_get_domain(H, Utf8.Encode(domainId, "domainId"), out p);
            return new Domain(Json.Object(Doc(st, p), "the domain"));
        }

        /// <summary>Every domain, or those of one type.</summary>
        public IReadOnlyList<Domain> ListDomains(DomainType? type = null)
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_list_domains(H, type.HasValue ? DomainTypeNumber(type.Value) : 0u, out p);
            return List(Doc(st, p), "the domain list", d => new Domain(d));
        }

        /// <summary>Deletes a domain.</summary>
        public void DeleteDomain(string domainId)
        {
            IntPtr p;
            Doc(NativeMethods.qcdn_client_delete_domain(H, Utf8.Encode(domainId, "domainId"), out p), p);
        }

        // ---- TLS subscriptions ------------------------------------------------------

        /// <summary>Orders a managed TLS certificate for a domain.</summary>
        public TlsSubscription CreateTlsSubscription(string domainId)
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_create_tls_subscription(H, Utf8.Encode(domainId, "domainId"), out p);
            return new TlsSubscription(Json.Object(Doc(st, p), "the TLS subscription"));
        }

        /// <summary>One TLS subscription by id.</summary>
        public TlsSubscription GetTlsSubscription(string subscriptionId)
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_get_tls_subscription(H, Utf8.Encode(subscriptionId, "subscriptionId"), out p);
            return new TlsSubscription(Json.Object(Doc(st, p), "the TLS subscription"));
        }

        /// <summary>Every TLS subscription.</summary>
        public IReadOnlyList<TlsSubscription> ListTlsSubscriptions()
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_list_tls_subscriptions(H, out p);
            return List(Doc(st, p), "the TLS subscription list", d => new TlsSubscription(d));
        }

        /// <summary>Deletes a TLS subscription.</summary>
        public void DeleteTlsSubscription(string subscriptionId)
        {
            IntPtr p;
            Doc(NativeMethods.qcdn_client_delete_tls_subscription(H, Utf8.Encode(subscriptionId, "subscriptionId"), out p), p);
        }

        // ---- signing keys -------------------------------------------------------------

        /// <summary>
        /// Creates a signing key for a live stream (its id), a playback domain (its id) or a bucket (its name).
        /// The result holds the private key: the API never returns it again.
        /// </summary>
        public NewSigningKey CreateSigningKey(SigningKeyTarget target, string targetId)
        {
            if (target != SigningKeyTarget.Stream && target != SigningKeyTarget.Domain && target != SigningKeyTarget.Bucket)
                throw new InvalidArgumentException("INVALID_ARGUMENT: " + (int)target + " is not a SigningKeyTarget", false, "target");
            IntPtr p;
            uint st = NativeMethods.qcdn_client_create_signing_key(H, (uint)target, Utf8.Encode(targetId, "targetId"), out p);
            return new NewSigningKey(Json.Object(Doc(st, p), "the signing key"));
        }

        /// <summary>One signing key by id (without its private key).</summary>
        public SigningKey GetSigningKey(string keyId)
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_get_signing_key(H, Utf8.Encode(keyId, "keyId"), out p);
            return new SigningKey(Json.Object(Doc(st, p), "the signing key"));
        }

        /// <summary>Every signing key (without private keys).</summary>
        public IReadOnlyList<SigningKey> ListSigningKeys()
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_list_signing_keys(H, out p);
            return List(Doc(st, p), "the signing key list", d => new SigningKey(d));
        }

        /// <summary>Gives a signing key a name for people.</summary>
        public SigningKey RenameSigningKey(string keyId, string name)
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_rename_signing_key(H, Utf8.Encode(keyId, "keyId"), Utf8.Encode(name, "name"), out p);
            return new SigningKey(Json.Object(Doc(st, p), "the signing key"));
        }

        /// <summary>Deletes a signing key: tokens signed with it stop working.</summary>
        public void DeleteSigningKey(string keyId)
        {
            IntPtr p;
            Doc(NativeMethods.qcdn_client_delete_signing_key(H, Utf8.Encode(keyId, "keyId"), out p), p);
        }

        // ---- buckets ----------------------------------------------------------------------

        /// <summary>Sets a bucket's access policy (<see cref="BucketPolicy.Authenticated"/>: signed tokens required).</summary>
        public void SetBucketPolicy(string bucket, BucketPolicy policy)
        {
            if (policy != BucketPolicy.Public && policy != BucketPolicy.Authenticated)
                throw new InvalidArgumentException("INVALID_ARGUMENT: " + (int)policy + " is not a BucketPolicy", false, "policy");
            IntPtr p;
            Doc(NativeMethods.qcdn_client_set_bucket_policy(H, Utf8.Encode(bucket, "bucket"), (uint)policy, out p), p);
        }

        /// <summary>Sets a bucket's CORS response headers (header name → value).</summary>
        public void SetBucketCors(string bucket, IDictionary<string, string> headers)
        {
            IntPtr p;
            byte[] cors = headers == null ? null : Utf8.Encode(Json.Write(headers), "headers");
            Doc(NativeMethods.qcdn_client_set_bucket_cors(H, Utf8.Encode(bucket, "bucket"), cors, out p), p);
        }

        /// <summary>A bucket's CORS response headers.</summary>
        public IReadOnlyDictionary<string, string> GetBucketCors(string bucket)
        {
            IntPtr p;
            uint st = NativeMethods.qcdn_client_get_bucket_cors(H, Utf8.Encode(bucket, "bucket"), out p);
            var d = Json.Object(Doc(st, p), "the CORS headers");
            var headers = new Dictionary<string, string>();
            foreach (var kv in d)
            {
                var s = kv.Value as string;
                if (s == null) throw new DecodeException("DECODE: the CORS header " + kv.Key + " is not a string");
                headers[kv.Key] = s;
            }
            return new ReadOnlyDictionary<string, string>(headers);
        }

        /// <summary>Removes every CORS header of a bucket.</summary>
        public void DeleteBucketCors(string bucket)
        {
            IntPtr p;
            Doc(NativeMethods.qcdn_client_delete_bucket_cors(H, Utf8.Encode(bucket, "bucket"), out p), p);
        }

        /// <summary>Removes one CORS header of a bucket.</summary>
        public void DeleteBucketCorsHeader(string bucket, string header)
        {
            IntPtr p;
            Doc(NativeMethods.qcdn_client_delete_bucket_cors_header(H, Utf8.Encode(bucket, "bucket"), Utf8.Encode(header, "header"), out p), p);
        }

        /// <summary>Purges the CDN cache of a whole bucket.</summary>
        public void PurgeBucketCache(string bucket)
        {
            IntPtr p;
            Doc(NativeMethods.qcdn_client_purge_bucket_cache(H, Utf8.Encode(bucket, "bucket"), out p), p);
        }

        /// <summary>Purges the CDN cache of one object path.</summary>
        public void PurgeObjectCache(string bucket, string path)
        {
            IntPtr p;
            Doc(NativeMethods.qcdn_client_purge_object_cache(H, Utf8.Encode(bucket, "bucket"), Utf8.Encode(path, "path"), out p), p);
        }

        // ---- async twins ----------------------------------------------------------------------

        private Task<T> Run<T>(Func<T> call, CancellationToken ct)
        {
            if (Volatile.Read(ref disposed) != 0) throw new ObjectDisposedException("Client");
            return Task.Run(call, ct);
        }

        private Task Run(Action call, CancellationToken ct)
        {
            if (Volatile.Read(ref disposed) != 0) throw new ObjectDisposedException("Client");
            return Task.Run(call, ct);
        }

        /// <summary><see cref="CreateDomain"/> off the caller's thread.</summary>
        public Task<Domain> CreateDomainAsync(string domainName, DomainType type, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => CreateDomain(domainName, type), cancellationToken); }
        /// <summary><see cref="GetDomain"/> off the caller's thread.</summary>
        public Task<Domain> GetDomainAsync(string domainId, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => GetDomain(domainId), cancellationToken); }
        /// <summary><see cref="ListDomains"/> off the caller's thread.</summary>
        public Task<IReadOnlyList<Domain>> ListDomainsAsync(DomainType? type = null, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => ListDomains(type), cancellationToken); }
        /// <summary><see cref="DeleteDomain"/> off the caller's thread.</summary>
        public Task DeleteDomainAsync(string domainId, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => DeleteDomain(domainId), cancellationToken); }
        /// <summary><see cref="CreateTlsSubscription"/> off the caller's thread.</summary>
        public Task<TlsSubscription> CreateTlsSubscriptionAsync(string domainId, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => CreateTlsSubscription(domainId), cancellationToken); }
        /// <summary><see cref="GetTlsSubscription"/> off the caller's thread.</summary>
        public Task<TlsSubscription> GetTlsSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => GetTlsSubscription(subscriptionId), cancellationToken); }
        /// <summary><see cref="ListTlsSubscriptions"/> off the caller's thread.</summary>
        public Task<IReadOnlyList<TlsSubscription>> ListTlsSubscriptionsAsync(CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => ListTlsSubscriptions(), cancellationToken); }
        /// <summary><see cref="DeleteTlsSubscription"/> off the caller's thread.</summary>
        public Task DeleteTlsSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => DeleteTlsSubscription(subscriptionId), cancellationToken); }
        /// <summary><see cref="CreateSigningKey"/> off the caller's thread.</summary>
        public Task<NewSigningKey> CreateSigningKeyAsync(SigningKeyTarget target, string targetId, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => CreateSigningKey(target, targetId), cancellationToken); }
        /// <summary><see cref="GetSigningKey"/> off the caller's thread.</summary>
        public Task<SigningKey> GetSigningKeyAsync(string keyId, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => GetSigningKey(keyId), cancellationToken); }
        /// <summary><see cref="ListSigningKeys"/> off the caller's thread.</summary>
        public Task<IReadOnlyList<SigningKey>> ListSigningKeysAsync(CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => ListSigningKeys(), cancellationToken); }
        /// <summary><see cref="RenameSigningKey"/> off the caller's thread.</summary>
        public Task<SigningKey> RenameSigningKeyAsync(string keyId, string name, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => RenameSigningKey(keyId, name), cancellationToken); }
        /// <summary><see cref="DeleteSigningKey"/> off the caller's thread.</summary>
        public Task DeleteSigningKeyAsync(string keyId, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => DeleteSigningKey(keyId), cancellationToken); }
        /// <summary><see cref="SetBucketPolicy"/> off the caller's thread.</summary>
        public Task SetBucketPolicyAsync(string bucket, BucketPolicy policy, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => SetBucketPolicy(bucket, policy), cancellationToken); }
        /// <summary><see cref="SetBucketCors"/> off the caller's thread.</summary>
        public Task SetBucketCorsAsync(string bucket, IDictionary<string, string> headers, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => SetBucketCors(bucket, headers), cancellationToken); }
        /// <summary><see cref="GetBucketCors"/> off the caller's thread.</summary>
        public Task<IReadOnlyDictionary<string, string>> GetBucketCorsAsync(string bucket, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => GetBucketCors(bucket), cancellationToken); }
        /// <summary><see cref="DeleteBucketCors"/> off the caller's thread.</summary>
        public Task DeleteBucketCorsAsync(string bucket, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => DeleteBucketCors(bucket), cancellationToken); }
        /// <summary><see cref="DeleteBucketCorsHeader"/> off the caller's thread.</summary>
        public Task DeleteBucketCorsHeaderAsync(string bucket, string header, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => DeleteBucketCorsHeader(bucket, header), cancellationToken); }
        /// <summary><see cref="PurgeBucketCache"/> off the caller's thread.</summary>
        public Task PurgeBucketCacheAsync(string bucket, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => PurgeBucketCache(bucket), cancellationToken); }
        /// <summary><see cref="PurgeObjectCache"/> off the caller's thread.</summary>
        public Task PurgeObjectCacheAsync(string bucket, string path, CancellationToken cancellationToken = default(CancellationToken)) { return Run(() => PurgeObjectCache(bucket, path), cancellationToken); }

        /// <summary>Frees the native client. Later calls throw <see cref="ObjectDisposedException"/>; a second Dispose does nothing. Calls already running finish first.</summary>
        public void Dispose() { Volatile.Write(ref disposed, 1); handle.Dispose(); }

        /// <inheritdoc/>
        public override string ToString() { return "Client(ApiUrl=" + apiUrl + (Volatile.Read(ref disposed) != 0 ? ", disposed)" : ")"); }
    }
}
