using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Threading;

namespace Qencode.Cdn
{
    /// <summary>
    /// Checks RS256 tokens against a public key, or a key set (<see cref="FromJwks(string)"/>,
    /// <see cref="FromKeys(IEnumerable{KeyValuePair{string, string}})"/>) where each token's <c>kid</c> chooses the key: signature, key id,
    /// <c>exp</c>/<c>nbf</c> with leeway and, when asked, whether the token covers
    /// a resource. <see cref="Explain"/> says in words why the edge would refuse
    /// a signed URL. Thread-safe; disposable like <see cref="Signer"/>.
    /// </summary>
    public sealed class Verifier : IDisposable
    {
        internal readonly VerifierHandle Handle;

        private Verifier(VerifierHandle handle) { Handle = handle; }

        private static Verifier Wrap(uint status, VerifierHandle h)
        {
            if (status != 0)
            {
                var e = Errors.Last(status);
                h.Dispose();
                throw e;
            }
            return new Verifier(h);
        }

        /// <summary>A verifier from a public key as text: SPKI or PKCS#1 PEM, base64 of DER, a JWK (its <c>kid</c> becomes the expected key id), or a private key (its public half).</summary>
        public static Verifier FromPublicKey(string key)
        {
            byte[] b = Utf8.Encode(key, "key");
            return FromBytes(b, b == null ? 0 : b.Length - 1);
        }

        /// <summary>A verifier from a public key as bytes (DER, or any text form).</summary>
        public static Verifier FromPublicKey(byte[] key) { return FromBytes(key, key == null ? 0 : key.Length); }

        private static Verifier FromBytes(byte[] key, int len)
        {
            VerifierHandle h;
            uint st = NativeMethods.qcdn_verifier_new(key, (UIntPtr)(uint)len, out h);
            return Wrap(st, h);
        }

        /// <summary>A verifier from a JWK JSON text (or a JWK Set of one key); the JWK's <c>kid</c>, when present, is the expected key id.</summary>
        public static Verifier FromJwk(string jwk)
        {
            VerifierHandle h;
            uint st = NativeMethods.qcdn_verifier_new_jwk(Utf8.Encode(jwk, "jwk"), out h);
            return Wrap(st, h);
        }

        /// <summary>
        /// A key set from a JWK Set document (<c>{"keys": [...]}</c>, e.g. what a JWKS endpoint serves): each
        /// token is checked with the key its <c>kid</c> names — several keys valid at once, as during a key
        /// rotation. A token whose <c>kid</c> is not in the set (or that has none) is an
        /// <see cref="UnknownKeyIdException"/> naming the known ids. A key of another type (EC, OKP, oct), a key
        /// without <c>kid</c>, a repeated <c>kid</c>, or text that is not a JWK Set is an
        /// <see cref="InvalidKeyException"/> naming the key; an empty set an <see cref="InvalidArgumentException"/>.
        /// </summary>
        public static Verifier FromJwks(string jwks)
        {
            VerifierHandle h;
            uint st = NativeMethods.qcdn_verifier_new_jwks(Utf8.Encode(jwks, "jwks"), out h);
            return Wrap(st, h);
        }

        /// <summary>As <see cref="FromJwks(string)"/>, for a JWK Set already parsed into dictionaries and lists (written back as JSON for the core).</summary>
        public static Verifier FromJwks(IDictionary<string, object> jwks)
        {
            return FromJwks(jwks == null ? null : Json.Write(jwks));
        }

        /// <summary>
        /// A key set from key ids and their public keys (kid → key: a dictionary, or any sequence of pairs, in the
        /// order to report them), each key in any text form <see cref="FromPublicKey(string)"/> reads (PEM, base64 of
        /// DER, a JWK's JSON). The token's <c>kid</c> chooses the key, as for <see cref="FromJwks(string)"/>. A key
        /// that cannot be read, or an empty or repeated kid, is an <see cref="InvalidKeyException"/> naming it;
        /// no keys at all, or a null kid or key, an <see cref="InvalidArgumentException"/>.
        /// </summary>
        public static Verifier FromKeys(IEnumerable<KeyValuePair<string, string>> keys)
        {
            if (keys == null) throw new InvalidArgumentException("INVALID_ARGUMENT: keys must not be null", true, "keys");
            var list = new List<object>();
            foreach (var kv in keys) list.Add(new Dictionary<string, object> { { "kid", kv.Key }, { "key", kv.Value } });
            return NewKeys(list);
        }

        /// <summary>As <see cref="FromKeys(IEnumerable{KeyValuePair{string, string}})"/>, with each key as bytes: DER (SubjectPublicKeyInfo or PKCS#1), or the bytes of any text form.</summary>
        public static Verifier FromKeys(IEnumerable<KeyValuePair<string, byte[]>> keys)
        {
            if (keys == null) throw new InvalidArgumentException("INVALID_ARGUMENT: keys must not be null", true, "keys");
            var list = new List<object>();
            foreach (var kv in keys)
                list.Add(new Dictionary<string, object> { { "kid", kv.Key }, { "key", kv.Value == null ? null : Convert.ToBase64String(kv.Value) } });
            return NewKeys(list);
        }

        private static Verifier NewKeys(List<object> keys)
        {
            VerifierHandle h;
            uint st = NativeMethods.qcdn_verifier_new_keys_json(Utf8.Encode(Json.Write(keys), "keys"), out h);
            return Wrap(st, h);
        }

        /// <summary>The verifier of a signer's own tokens (its public key, expecting its key id).</summary>
        public static Verifier FromSigner(Signer signer)
        {
            if (signer == null) throw new InvalidArgumentException("INVALID_ARGUMENT: signer must not be null", true, "signer");
            VerifierHandle h;
            uint st = NativeMethods.qcdn_verifier_from_signer(signer.H, out h);
            return Wrap(st, h);
        }

        private int disposed;

        private VerifierHandle H
        {
            get
            {
                if (Volatile.Read(ref disposed) != 0 || Handle.IsClosed) throw new ObjectDisposedException("Verifier");
                return Handle;
            }
        }

        /// <summary>
        /// Verifies a token; throws a <see cref="TokenException"/> subclass saying why it is refused
        /// (with <see cref="VerifyOptions.Resource"/>, <see cref="UriMismatchException"/> for a valid token that does not cover it).
        /// </summary>
        public VerifiedToken Verify(string token, VerifyOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_verifier_verify_json(H, Utf8.Encode(token, "token"), VerifyOptions.Encode(options), out p));
            return new VerifiedToken(Json.Object(Utf8.Take(p), "the verified claims"));
        }

        /// <summary>Every check the edge would make of a signed URL (any of the four forms), passed or failed, in words. A refused URL is a result (<see cref="Explanation.Ok"/> false), not an exception.</summary>
        public Explanation Explain(string url, VerifyOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_verifier_explain_json(H, Utf8.Encode(url, "url"), VerifyOptions.Encode(options), out p));
            return new Explanation(Utf8.Take(p));
        }

        /// <summary>As <see cref="Explain"/> for a bare token (the resource check runs only when <see cref="VerifyOptions.Resource"/> is given).</summary>
        public Explanation ExplainToken(string token, VerifyOptions options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_verifier_explain_token(H, Utf8.Encode(token, "token"), VerifyOptions.Encode(options), out p));
            return new Explanation(Utf8.Take(p));
        }

        /// <summary>
        /// The verifier's public keys as a JWK Set document (<c>{"keys": [...]}</c>, each key with <c>kty</c>,
        /// <c>n</c>, <c>e</c>, <c>kid</c> when known, <c>alg</c> <c>RS256</c> and <c>use</c> <c>sig</c>): what a JWKS
        /// endpoint publishes during a rotation (serve it as <c>application/json</c>), and what
        /// <see cref="FromJwks(string)"/> reads back.
        /// </summary>
        public string Jwks()
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_verifier_jwks(H, out p));
            return Utf8.Take(p);
        }

        private IReadOnlyList<string> keyIds;

        /// <summary>The key ids this verifier knows, in order: a key set's, or the one expected id (empty when none is expected).</summary>
        public IReadOnlyList<string> KeyIds
        {
            get
            {
                var ids = Volatile.Read(ref keyIds);
                if (ids != null) return ids;
                var list = new List<string>();
                object keys;
                var doc = Json.Object(Jwks(), "the JWK Set");
                if (doc.TryGetValue("keys", out keys) && keys is List<object>)
                    foreach (var k in (List<object>)keys)
                    {
                        var kid = Json.Str(k as Dictionary<string, object>, "kid");
                        if (kid != null) list.Add(kid);
                    }
                ids = list.AsReadOnly();
                Volatile.Write(ref keyIds, ids);
                return ids;
            }
        }

        /// <summary>Frees the native key once calls already running on other threads return. Later calls throw <see cref="ObjectDisposedException"/>; a second Dispose does nothing.</summary>
        public void Dispose() { Volatile.Write(ref disposed, 1); Handle.Dispose(); }

        /// <inheritdoc/>
        public override string ToString()
        {
            if (Volatile.Read(ref disposed) != 0) return "Verifier(disposed)";
            try { return "Verifier(KeyIds=[" + string.Join(", ", KeyIds) + "])"; }
            catch (ObjectDisposedException) { return "Verifier(disposed)"; }
        }

        internal static DateTimeOffset? Time(Dictionary<string, object> claims, string name)
        {
            object v;
            if (claims == null || !claims.TryGetValue(name, out v) || !(v is long)) return null;
            long s = (long)v;
            if (s < -62135596800L || s > 253402300799L) return null;
            return DateTimeOffset.FromUnixTimeSeconds(s);
        }
    }

    /// <summary>A verified token: its key id and claims.</summary>
    public sealed class VerifiedToken
    {
        internal VerifiedToken(Dictionary<string, object> doc)
        {
            KeyId = Json.Str(doc, "kid");
            object c;
            var claims = doc.TryGetValue("claims", out c) ? c as Dictionary<string, object> : null;
            claims = claims ?? new Dictionary<string, object>();
            Claims = new ReadOnlyDictionary<string, object>(claims);
            Uri = Json.Str(claims, "uri");
            ExpiresAt = Verifier.Time(claims, "exp");
            NotBefore = Verifier.Time(claims, "nbf");
        }
        /// <summary>The token's <c>kid</c> header, or null.</summary>
        public string KeyId { get; private set; }
        /// <summary>Every claim (<c>uri</c>, <c>exp</c>, <c>nbf</c>, custom ones): strings, long, double, bool, null, nested dictionaries and lists.</summary>
        public IReadOnlyDictionary<string, object> Claims { get; private set; }
        /// <summary>The <c>uri</c> claim.</summary>
        public string Uri { get; private set; }
        /// <summary>The <c>exp</c> claim; null for a token that never expires.</summary>
        public DateTimeOffset? ExpiresAt { get; private set; }
        /// <summary>The <c>nbf</c> claim, or null.</summary>
        public DateTimeOffset? NotBefore { get; private set; }
        /// <inheritdoc/>
        public override string ToString() { return "VerifiedToken(KeyId=" + KeyId + ", Uri=" + Uri + ", ExpiresAt=" + ExpiresAt + ")"; }
    }

    /// <summary>One check of a verification, passed or failed, in words.</summary>
    public sealed class Check
    {
        internal Check(string name, bool passed, string detail) { Name = name; Passed = passed; Detail = detail; }
        /// <summary>The check's name (<c>format</c>, <c>algorithm</c>, <c>signature</c>, <c>expiry</c>, <c>resource</c> …).</summary>
        public string Name { get; private set; }
        /// <summary>Whether it passed.</summary>
        public bool Passed { get; private set; }
        /// <summary>What was found, in words.</summary>
        public string Detail { get; private set; }
        /// <inheritdoc/>
        public override string ToString() { return (Passed ? "ok   " : "FAIL ") + Name + ": " + Detail; }
    }

    /// <summary>One thing a token grants that may be more than meant.</summary>
    public sealed class AuditWarning
    {
        internal AuditWarning(string code, string message) { Code = code; Message = message; }
        /// <summary><c>PREFIX_COVERS_SIBLINGS</c>, <c>WHOLE_BUCKET</c>, <c>NEVER_EXPIRES</c>, <c>LONG_LIFETIME</c> or <c>LEADING_SLASH</c>.</summary>
        public string Code { get; private set; }
        /// <summary>In words.</summary>
        public string Message { get; private set; }
        /// <inheritdoc/>
        public override string ToString() { return Code + ": " + Message; }

        internal static IReadOnlyList<AuditWarning> List(object warnings)
        {
            var list = new List<AuditWarning>();
            var l = warnings as List<object>;
            if (l != null)
                foreach (var w in l)
                {
                    var d = w as Dictionary<string, object>;
                    list.Add(new AuditWarning(Json.Str(d, "code"), Json.Str(d, "message")));
                }
            return list.AsReadOnly();
        }
    }

    /// <summary>The verdict on a signed URL or token: every check, passed or failed, and the audit's warnings.</summary>
    public sealed class Explanation
    {
        private readonly string json;

        internal Explanation(string json)
        {
            this.json = json;
            var d = Json.Object(json, "the explanation");
            object v;
            Ok = d.TryGetValue("ok", out v) && v is bool && (bool)v;
            Url = Json.Str(d, "url");
            Form = Json.Str(d, "form");
            KeyId = Json.Str(d, "key_id");
            var claims = d.TryGetValue("claims", out v) ? v as Dictionary<string, object> : null;
            Claims = claims == null ? null : new ReadOnlyDictionary<string, object>(claims);
            var res = d.TryGetValue("resource", out v) ? v as Dictionary<string, object> : null;
            if (res != null)
                Resource = Json.Str(res, "kind") == "live" ? Resource.Live(Json.Str(res, "playback_id")) : Resource.Storage(Json.Str(res, "key"));
            var checks = new List<Check>();
            var cl = d.TryGetValue("checks", out v) ? v as List<object> : null;
            if (cl != null)
                foreach (var c in cl)
                {
                    var cd = c as Dictionary<string, object>;
                    object passed;
                    checks.Add(new Check(Json.Str(cd, "name"), cd != null && cd.TryGetValue("passed", out passed) && passed is bool && (bool)passed, Json.Str(cd, "detail")));
                }
            Checks = checks.AsReadOnly();
            Warnings = AuditWarning.List(d.TryGetValue("warnings", out v) ? v : null);
        }

        /// <summary>Whether the edge would accept it.</summary>
        public bool Ok { get; private set; }
        /// <summary>The URL explained (<c>""</c> for a bare token).</summary>
        public string Url { get; private set; }
        /// <summary>The URL's form (<c>live</c>, <c>live_custom_domain</c>, <c>storage</c>, <c>storage_custom_domain</c>), or null.</summary>
        public string Form { get; private set; }
        /// <summary>The resource the URL asks for, or null.</summary>
        public Resource Resource { get; private set; }
        /// <summary>The token's <c>kid</c>, or null.</summary>
        public string KeyId { get; private set; }
        /// <summary>The token's claims when they could be read, else null.</summary>
        public IReadOnlyDictionary<string, object> Claims { get; private set; }
        /// <summary>Every check in order.</summary>
        public IReadOnlyList<Check> Checks { get; private set; }
        /// <summary>What the token grants that may be more than meant (never makes <see cref="Ok"/> false).</summary>
        public IReadOnlyList<AuditWarning> Warnings { get; private set; }
        /// <summary>The first failed check, or null.</summary>
        public Check FirstFailure
        {
            get
            {
                foreach (var c in Checks) if (!c.Passed) return c;
                return null;
            }
        }
        /// <summary>The library's JSON document of the verdict.</summary>
        public string ToJson() { return json; }
        /// <summary>One line per check, then the warnings.</summary>
        public override string ToString()
        {
            var sb = new System.Text.StringBuilder(Ok ? "accepted" : "refused");
            foreach (var c in Checks) sb.Append('\n').Append(c);
            foreach (var w in Warnings) sb.Append("\nwarning ").Append(w);
            return sb.ToString();
        }
    }
}
