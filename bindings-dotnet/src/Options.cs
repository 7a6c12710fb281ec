// Option objects. Each becomes one JSON object with the snake_case keys of
// DESIGN §10, which the core reads (SignOptions::from_json and friends): the
// core, not this package, decides what is valid. A property set to null is
// sent as JSON null (the core refuses a null lifetime); a property never set
// is left out (the core's default).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Qencode.Cdn
{
    /// <summary>Builds one JSON object; used by every options class.</summary>
    internal sealed class JsonObjectWriter
    {
        private readonly StringBuilder sb = new StringBuilder("{");
        private bool first = true;

        private StringBuilder Key(string k)
        {
            if (!first) sb.Append(',');
            first = false;
            Json.Quote(sb, k);
            return sb.Append(':');
        }

        internal void Seconds(string k, TimeSpan? v) { if (v.HasValue) Key(k).Append(Json.Seconds(v.Value)); else Key(k).Append("null"); }
        internal void Time(string k, DateTimeOffset? v) { if (v.HasValue) Key(k).Append(v.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)); else Key(k).Append("null"); }
        internal void Value(string k, object v) { Json.Write(Key(k), v, 0); }
        internal void Raw(string k, string json) { Key(k).Append(json); }
        internal void Merge(string jsonObject)
        {
            // jsonObject is "{...}" written by another JsonObjectWriter.
            if (jsonObject.Length <= 2) return;
            if (!first) sb.Append(',');
            first = false;
            sb.Append(jsonObject, 1, jsonObject.Length - 2);
        }
        public override string ToString() { return sb.ToString() + "}"; }
    }

    /// <summary>
    /// Options of one signature. Unset properties take the core's defaults: the
    /// token expires one hour after signing, no <c>nbf</c>, no custom claims,
    /// the system clock. A lifetime set to <c>null</c> is an error, never
    /// "forever": a token without <c>exp</c> needs <see cref="NeverExpires"/> = true.
    /// </summary>
    /// <example><code>
    /// var token = signer.Sign("videos/a/", new SignOptions { ExpiresIn = TimeSpan.FromMinutes(10) });
    /// </code></example>
    public sealed class SignOptions
    {
        private TimeSpan? expiresIn; private bool expiresInSet;
        private DateTimeOffset? expiresAt; private bool expiresAtSet;
        private DateTimeOffset? notBefore; private bool notBeforeSet;
        private IDictionary<string, object> claims; private bool claimsSet;
        private bool neverExpires; private bool neverExpiresSet;
        private DateTimeOffset? now; private bool nowSet;

        /// <summary>Lifetime from the signing time (whole seconds; default one hour). Null is refused.</summary>
        public TimeSpan? ExpiresIn { get { return expiresIn; } set { expiresIn = value; expiresInSet = true; } }
        /// <summary>Absolute expiry (Unix seconds, rounded down); wins over <see cref="ExpiresIn"/>. Null is refused.</summary>
        public DateTimeOffset? ExpiresAt { get { return expiresAt; } set { expiresAt = value; expiresAtSet = true; } }
        /// <summary>Absolute <c>nbf</c> (Unix seconds, rounded down); null = none.</summary>
        public DateTimeOffset? NotBefore { get { return notBefore; } set { notBefore = value; notBeforeSet = true; } }
        /// <summary>Custom claims: strings, numbers, booleans, null, nested dictionaries and lists. <c>uri</c>, <c>exp</c>, <c>nbf</c> are refused.</summary>
        public IDictionary<string, object> Claims { get { return claims; } set { claims = value; claimsSet = true; } }
        /// <summary>A token with no <c>exp</c> at all: the only way to one. Refused together with a lifetime.</summary>
        public bool NeverExpires { get { return neverExpires; } set { neverExpires = value; neverExpiresSet = true; } }
        /// <summary>Sign as if the time were this (tests, reproducible tokens); null = the system clock.</summary>
        public DateTimeOffset? Now { get { return now; } set { now = value; nowSet = true; } }

        internal void WriteTo(JsonObjectWriter w)
        {
            if (expiresInSet) w.Seconds("expires_in", expiresIn);
            if (expiresAtSet) w.Time("expires_at", expiresAt);
            if (notBeforeSet) w.Time("not_before", notBefore);
            if (claimsSet) w.Value("claims", claims);
            if (neverExpiresSet) w.Value("never_expires", neverExpires);
            if (nowSet) w.Time("now", now);
        }

        internal static byte[] Encode(SignOptions o)
        {
            if (o == null) return null;
            var w = new JsonObjectWriter();
            o.WriteTo(w);
            return Utf8.Encode(w.ToString(), "options");
        }
    }

    /// <summary>What a token must grant: a live stream (by playback id) or a storage object (by key).</summary>
    public sealed class Resource
    {
        private Resource(string kind, string name) { Kind = kind; Name = name; }
        /// <summary>A live stream: the token's <c>uri</c> must equal <paramref name="playbackId"/>.</summary>
        public static Resource Live(string playbackId) { return new Resource("live", playbackId); }
        /// <summary>A storage object: the token's <c>uri</c> must be a prefix of <paramref name="key"/> (<c>""</c> covers the bucket).</summary>
        public static Resource Storage(string key) { return new Resource("storage", key); }
        /// <summary><c>"live"</c> or <c>"storage"</c>.</summary>
        public string Kind { get; private set; }
        /// <summary>The playback id or the object key.</summary>
        public string Name { get; private set; }
        internal string ToJson()
        {
            var w = new JsonObjectWriter();
            w.Value("kind", Kind);
            w.Value(Kind == "live" ? "playback_id" : "key", Name);
            return w.ToString();
        }
        /// <inheritdoc/>
        public override string ToString() { return "Resource(" + Kind + ", " + Name + ")"; }
    }

    /// <summary>Options of one verification. Unset: the verifier's key id, no leeway, the system clock, no resource check.</summary>
    public sealed class VerifyOptions
    {
        private string keyId; private bool keyIdSet;
        private TimeSpan? leeway; private bool leewaySet;
        private DateTimeOffset? now; private bool nowSet;
        private Resource resource; private bool resourceSet;

        /// <summary>Require this <c>kid</c> (overrides the verifier's own).</summary>
        public string KeyId { get { return keyId; } set { keyId = value; keyIdSet = true; } }
        /// <summary>Clock skew tolerated on <c>exp</c> and <c>nbf</c> (whole seconds).</summary>
        public TimeSpan? Leeway { get { return leeway; } set { leeway = value; leewaySet = true; } }
        /// <summary>Verify as if the time were this; null = the system clock.</summary>
        public DateTimeOffset? Now { get { return now; } set { now = value; nowSet = true; } }
        /// <summary>Also require that the token covers this resource (URI_MISMATCH otherwise).</summary>
        public Resource Resource { get { return resource; } set { resource = value; resourceSet = true; } }

        internal static byte[] Encode(VerifyOptions o)
        {
            if (o == null) return null;
            var w = new JsonObjectWriter();
            if (o.keyIdSet) w.Value("key_id", o.keyId);
            if (o.leewaySet) w.Seconds("leeway", o.leeway);
            if (o.nowSet) w.Time("now", o.now);
            if (o.resourceSet)
            {
                if (o.resource == null) w.Value("resource", null); else w.Raw("resource", o.resource.ToJson());
            }
            return Utf8.Encode(w.ToString(), "options");
        }
    }

    /// <summary>The cookie's <c>SameSite</c> attribute.</summary>
    public enum SameSite
    {
        /// <summary><c>SameSite=Lax</c> (the default).</summary>
        Lax = 0,
        /// <summary><c>SameSite=Strict</c>.</summary>
        Strict = 1,
        /// <summary><c>SameSite=None</c> (requires <c>Secure</c>).</summary>
        None = 2,
    }

    /// <summary>Attributes of a signed cookie. Unset: host-only, <c>Path</c> = the folder the token covers, <c>Secure</c>, <c>HttpOnly</c>, <c>SameSite=Lax</c>.</summary>
    public sealed class CookieOptions
    {
        private string domain; private bool domainSet;
        private string path; private bool pathSet;
        private SameSite sameSite; private bool sameSiteSet;
        private bool secure = true; private bool secureSet;
        private bool httpOnly = true; private bool httpOnlySet;

        /// <summary><c>Domain=</c>: the application's primary domain, so that its subdomains (the playback custom domain) get the cookie.</summary>
        public string Domain { get { return domain; } set { domain = value; domainSet = true; } }
        /// <summary>Overrides the <c>Path=</c> derived from the token's <c>uri</c>.</summary>
        public string Path { get { return path; } set { path = value; pathSet = true; } }
        /// <summary>The <c>SameSite</c> attribute.</summary>
        public SameSite SameSite { get { return sameSite; } set { sameSite = value; sameSiteSet = true; } }
        /// <summary><c>Secure</c> (default true; false only for plain-HTTP local tests).</summary>
        public bool Secure { get { return secure; } set { secure = value; secureSet = true; } }
        /// <summary><c>HttpOnly</c> (default true; false lets page scripts read the token).</summary>
        public bool HttpOnly { get { return httpOnly; } set { httpOnly = value; httpOnlySet = true; } }

        internal static string SameSiteName(SameSite s)
        {
            switch (s)
            {
                case SameSite.Lax: return "Lax";
                case SameSite.Strict: return "Strict";
                case SameSite.None: return "None";
                default: throw new InvalidArgumentException("INVALID_ARGUMENT: " + (int)s + " is not a SameSite value", false, "SameSite");
            }
        }

        internal static byte[] Encode(SignOptions sign, CookieOptions c)
        {
            if (sign == null && c == null) return null;
            var w = new JsonObjectWriter();
            if (sign != null) sign.WriteTo(w);
            if (c != null)
            {
                if (c.domainSet) w.Value("domain", c.domain);
                if (c.pathSet) w.Value("path", c.path);
                if (c.sameSiteSet) w.Value("same_site", SameSiteName(c.sameSite));
                if (c.secureSet) w.Value("secure", c.secure);
                if (c.httpOnlySet) w.Value("http_only", c.httpOnly);
            }
            return Utf8.Encode(w.ToString(), "options");
        }
    }

    /// <summary>Settings of a <see cref="Client"/>. Unset: the production API, 10 s to connect, 30 s per attempt, 3 retries, 60 s per call.</summary>
    public sealed class ClientOptions
    {
        private string apiUrl; private bool apiUrlSet;
        private string authUrl; private bool authUrlSet;
        private TimeSpan? timeout; private bool timeoutSet;
        private TimeSpan? connectTimeout; private bool connectTimeoutSet;
        private TimeSpan? deadline; private bool deadlineSet;
        private int? maxRetries; private bool maxRetriesSet;

        /// <summary>Base URL of the management API (default <c>https://api-cdn.qencode.com</c>).</summary>
        public string ApiUrl { get { return apiUrl; } set { apiUrl = value; apiUrlSet = true; } }
        /// <summary>Base URL of the access-token API (default <c>https://api-live.qencode.com</c>).</summary>
        public string AuthUrl { get { return authUrl; } set { authUrl = value; authUrlSet = true; } }
        /// <summary>Time allowed for one whole attempt (default 30 s).</summary>
        public TimeSpan? Timeout { get { return timeout; } set { timeout = value; timeoutSet = true; } }
        /// <summary>Time allowed to connect (default 10 s).</summary>
        public TimeSpan? ConnectTimeout { get { return connectTimeout; } set { connectTimeout = value; connectTimeoutSet = true; } }
        /// <summary>Time allowed for one call, retries included (default 60 s).</summary>
        public TimeSpan? Deadline { get { return deadline; } set { deadline = value; deadlineSet = true; } }
        /// <summary>Retries after the first attempt (default 3, at most 10; 0 = never retry).</summary>
        public int? MaxRetries { get { return maxRetries; } set { maxRetries = value; maxRetriesSet = true; } }

        internal ClientOptions Copy() { return (ClientOptions)MemberwiseClone(); }

        internal static byte[] Encode(ClientOptions o)
        {
            if (o == null) return null;
            var w = new JsonObjectWriter();
            if (o.apiUrlSet) w.Value("api_url", o.apiUrl);
            if (o.authUrlSet) w.Value("auth_url", o.authUrl);
            if (o.timeoutSet) w.Seconds("timeout", o.timeout);
            if (o.connectTimeoutSet) w.Seconds("connect_timeout", o.connectTimeout);
            if (o.deadlineSet) w.Seconds("deadline", o.deadline);
            if (o.maxRetriesSet) w.Value("max_retries", o.maxRetries);
            return Utf8.Encode(w.ToString(), "options");
        }
    }
}
