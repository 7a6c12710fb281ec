using System;
using System.Collections.Generic;

namespace Qencode.Cdn
{
    /// <summary>Common behaviour of the client's typed results: built from the API's document, every field kept.</summary>
    public abstract class ApiResult
    {
        private readonly Dictionary<string, object> doc;
        internal ApiResult(Dictionary<string, object> doc) { this.doc = doc ?? new Dictionary<string, object>(); }
        internal string Get(string key) { return Json.Str(doc, key); }
        /// <summary>The API's document: every field with its API name, unknown ones included.</summary>
        public Dictionary<string, object> ToDictionary() { return new Dictionary<string, object>(doc); }
    }

    /// <summary>A custom playback domain.</summary>
    public sealed class Domain : ApiResult
    {
        internal Domain(Dictionary<string, object> d) : base(d) { }
        /// <summary>The domain's id.</summary>
        public string Id { get { return Get("id"); } }
        /// <summary>The host name, e.g. <c>live.example.com</c>.</summary>
        public string DomainName { get { return Get("domain_name"); } }
        /// <summary><c>"live"</c> or <c>"storage"</c>.</summary>
        public string Type { get { return Get("type"); } }
        /// <summary>When it was created, as the API writes it (<c>2023-06-07 14:17:25</c>).</summary>
        public string Created { get { return Get("created"); } }
        /// <inheritdoc/>
        public override string ToString() { return "Domain(Id=" + Id + ", DomainName=" + DomainName + ", Type=" + Type + ")"; }
    }

    /// <summary>A managed TLS certificate subscription for a domain.</summary>
    public sealed class TlsSubscription : ApiResult
    {
        internal TlsSubscription(Dictionary<string, object> d) : base(d) { }
        /// <summary>The subscription's id.</summary>
        public string Id { get { return Get("id"); } }
        /// <summary>The domain it is for.</summary>
        public string DomainId { get { return Get("domain_id"); } }
        /// <summary>E.g. <c>"pending"</c>.</summary>
        public string Status { get { return Get("status"); } }
        /// <summary>When it was created.</summary>
        public string Created { get { return Get("created"); } }
        /// <summary>What to do next (the CNAME to create), when the API says.</summary>
        public string Message { get { return Get("message"); } }
        /// <inheritdoc/>
        public override string ToString() { return "TlsSubscription(Id=" + Id + ", DomainId=" + DomainId + ", Status=" + Status + ")"; }
    }

    /// <summary>A signing key as listed (without its private key). <see cref="Id"/> is the tokens' <c>kid</c>.</summary>
    public class SigningKey : ApiResult
    {
        internal SigningKey(Dictionary<string, object> d) : base(d) { }
        /// <summary>The key id (the tokens' <c>kid</c>).</summary>
        public string Id { get { return Get("id"); } }
        /// <summary>A name for people, or null.</summary>
        public string Name { get { return Get("name"); } }
        /// <summary>When it was created.</summary>
        public string Created { get { return Get("created"); } }
        /// <summary>The live stream it signs for, or null.</summary>
        public string StreamId { get { return Get("stream_id"); } }
        /// <summary>The playback domain it signs for, or null.</summary>
        public string DomainId { get { return Get("domain_id"); } }
        /// <summary>The bucket it signs for, or null.</summary>
        public string BucketName { get { return Get("bucket_name"); } }
        /// <inheritdoc/>
        public override string ToString() { return "SigningKey(Id=" + Id + ", Name=" + Name + ", StreamId=" + StreamId + ", DomainId=" + DomainId + ", BucketName=" + BucketName + ")"; }
    }

    /// <summary>
    /// A signing key just created: the only time the API returns its private key.
    /// <see cref="ToString"/> never shows it; <see cref="ApiResult.ToDictionary"/> includes it (it is the API's document). Store it somewhere safe.
    /// </summary>
    public sealed class NewSigningKey : SigningKey
    {
        internal NewSigningKey(Dictionary<string, object> d) : base(d) { }
        /// <summary>The private key (PEM). A secret.</summary>
        public string PrivateKey { get { return Get("private_key"); } }
        /// <summary>A <see cref="Signer"/> for this key (<c>kid</c> = <see cref="SigningKey.Id"/>).</summary>
        public Signer CreateSigner() { return Signer.FromPem(Id, PrivateKey); }
        /// <inheritdoc/>
        public override string ToString() { return "NewSigningKey(Id=" + Id + ", Name=" + Name + ", StreamId=" + StreamId + ", DomainId=" + DomainId + ", BucketName=" + BucketName + ", PrivateKey=<redacted>)"; }
    }
}
