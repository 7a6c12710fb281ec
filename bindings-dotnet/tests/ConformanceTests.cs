// The C# runner of the conformance cases (tests/conformance/README.md): every
// case of every file through the package's public API as a C# user calls it
// (SignOptions with TimeSpan/DateTimeOffset, VerifyOptions with a Resource,
// CookieOptions with the SameSite enum, the typed client). A case is skipped
// only when its `skip` map names dotnet; a case this runner cannot express is
// a failure. Prints the README's summary line for tests/conformance/check-summary.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;
using Qencode.Cdn;
using Qencode.Cdn.Testing;

namespace Qencode.Cdn.Tests
{
    internal sealed class UnexpressibleException : Exception
    {
        internal UnexpressibleException(string m) : base(m) { }
    }

    [TestFixture]
    public class ConformanceTests
    {
        private const string Language = "dotnet";
        private static int passed, failed;
        private static readonly Dictionary<string, Signer> signers = new Dictionary<string, Signer>();
        private static Emulator emulator;

        private static IEnumerable<KeyValuePair<string, Dictionary<string, object>>> AllCases()
        {
            var dir = Path.Combine(Repo.Root, "tests", "conformance");
            foreach (var file in Directory.GetFiles(dir, "*.json").OrderBy(f => f, StringComparer.Ordinal))
            {
                var doc = Json.Parse(File.ReadAllText(file)) as Dictionary<string, object>;
                foreach (var c in (List<object>)doc["cases"])
                {
                    var d = (Dictionary<string, object>)c;
                    yield return new KeyValuePair<string, Dictionary<string, object>>((string)d["name"], d);
                }
            }
        }

        internal static string SkipReason(Dictionary<string, object> c)
        {
            object skip, reason;
            if (c.TryGetValue("skip", out skip) && skip is Dictionary<string, object> && ((Dictionary<string, object>)skip).TryGetValue(Language, out reason))
                return (reason as string) ?? "(no reason given)";
            return null;
        }

        public static IEnumerable<TestCaseData> Cases()
        {
            foreach (var kv in AllCases())
            {
                var data = new TestCaseData(kv.Value).SetName("conformance/" + kv.Key);
                var skip = SkipReason(kv.Value);
                if (skip != null) data.Ignore(skip);
                yield return data;
            }
        }

        [TestCaseSource("Cases")]
        public void Case(Dictionary<string, object> c)
        {
            string why;
            bool ok;
            try { ok = Check(c, out why); }
            catch (UnexpressibleException e) { ok = false; why = "the C# runner cannot express it: " + e.Message; }
            if (ok) { passed++; return; }
            failed++;
            Assert.Fail((string)c["name"] + ": " + why);
        }

        [TestFixtureTearDown]
        public void Summary()
        {
            foreach (var s in signers.Values) s.Dispose();
            signers.Clear();
            if (emulator != null) { emulator.Dispose(); emulator = null; }
            var all = AllCases().ToList();
            var skips = all.Where(kv => SkipReason(kv.Value) != null).ToList();
            // NUnit prints progress dots on the same line: start on a fresh one.
            Console.WriteLine();
            Console.WriteLine("conformance: {0}: {1} cases, {2} passed, {3} skipped, {4} failed", Language, all.Count, passed, skips.Count, failed + (all.Count - skips.Count - passed - failed));
            foreach (var kv in skips) Console.WriteLine("  skipped {0}: {1}", kv.Key, SkipReason(kv.Value));
        }

        // ---- running one case ------------------------------------------------------

        private static Dictionary<string, object> Obj(object v) { return v as Dictionary<string, object> ?? new Dictionary<string, object>(); }
        private static object Get(Dictionary<string, object> d, string k) { object v; return d != null && d.TryGetValue(k, out v) ? v : null; }

        private static bool Check(Dictionary<string, object> c, out string why)
        {
            var expect = Obj(c["expect"]);
            object result = null;
            Exception error = null;
            try { result = Run((string)c["op"], Obj(Get(c, "input"))); }
            catch (UnexpressibleException) { throw; }
            catch (Exception e) { error = e; }
            if (expect.ContainsKey("error")) return CheckError(expect, result, error, out why);
            return CheckSuccess(expect, result, error, out why);
        }

        private static bool CheckError(Dictionary<string, object> want, object result, Exception error, out string why)
        {
            string code = (string)want["error"];
            why = null;
            if (error == null) { why = "expected error " + code + ", got success " + JsonMatch.Show(result); return false; }
            var q = error as IQencodeError;
            if (q == null) { why = "expected error " + code + ", got " + error; return false; }
            if (q.CodeName != code) { why = "expected error " + code + ", got " + q.CodeName + ": " + error.Message; return false; }
            if (want.ContainsKey("status") && !JsonMatch.Equal(q.Status.HasValue ? (object)(long)q.Status.Value : null, want["status"]))
            { why = "expected status " + JsonMatch.Show(want["status"]) + ", got " + JsonMatch.Show(q.Status); return false; }
            if (want.ContainsKey("retry_after"))
            {
                var api = error as ApiException;
                object got = api != null && api.RetryAfter.HasValue ? (object)(long)Math.Truncate(api.RetryAfter.Value.TotalSeconds) : null;
                if (!JsonMatch.Equal(got, want["retry_after"])) { why = "expected retry_after " + JsonMatch.Show(want["retry_after"]) + ", got " + JsonMatch.Show(got); return false; }
            }
            if (want.ContainsKey("type_error"))
            {
                var ia = error as InvalidArgumentException;
                bool te = ia != null && ia.IsTypeError;
                if (te != (bool)want["type_error"]) { why = "expected type_error " + want["type_error"] + ": " + error.Message; return false; }
            }
            var contains = Get(want, "message_contains") as List<object>;
            if (contains != null)
                foreach (string s in contains)
                    if (error.Message.IndexOf(s, StringComparison.Ordinal) < 0) { why = "the message does not contain `" + s + "`: " + error.Message; return false; }
            return true;
        }

        private static bool CheckSuccess(Dictionary<string, object> want, object result, Exception error, out string why)
        {
            why = null;
            if (error != null) { why = "expected success, got " + (error is IQencodeError ? ((IQencodeError)error).CodeName + ": " + error.Message : error.ToString()); return false; }
            var got = Obj(result);
            foreach (var kv in want)
            {
                if (kv.Key == "detail_contains")
                {
                    var details = Obj(Get(got, "details"));
                    foreach (var d in Obj(kv.Value))
                    {
                        var text = Get(details, d.Key) as string;
                        if (text == null || text.IndexOf((string)d.Value, StringComparison.Ordinal) < 0)
                        { why = "detail of `" + d.Key + "` is `" + (text ?? "(none)") + "`, which lacks `" + d.Value + "`"; return false; }
                    }
                    continue;
                }
                object g;
                bool present = got.TryGetValue(kv.Key, out g);
                if (present && kv.Key == "same")
                {
                    // One label per request: equal labels exactly where the tokens are equal.
                    var labels = (List<object>)kv.Value;
                    var tokens = (List<object>)g;
                    bool ok = labels.Count == tokens.Count;
                    for (int a = 0; ok && a < labels.Count; a++)
                        for (int b = 0; ok && b < labels.Count; b++)
                            ok = Equals(labels[a], labels[b]) == (tokens[a] != null && Equals(tokens[a], tokens[b]));
                    if (!ok) { why = "`same`: expected the labels " + JsonMatch.Show(labels) + ", got tokens " + JsonMatch.Show(tokens); return false; }
                    continue;
                }
                if (present && kv.Key == "cached_at_most")
                {
                    if (Convert.ToInt64(g) > Convert.ToInt64(kv.Value)) { why = "the cache holds " + g + " tokens, more than " + kv.Value; return false; }
                    continue;
                }
                bool same = present && (kv.Key == "result" ? JsonMatch.Contains(g, kv.Value) : JsonMatch.Equal(g, kv.Value));
                if (!same)
                {
                    why = "`" + kv.Key + "`: expected " + (kv.Key == "result" ? "a value containing " : "") + JsonMatch.Show(kv.Value) + ", got " + (present ? JsonMatch.Show(g) : "(not produced)");
                    return false;
                }
            }
            return true;
        }

        private static object Run(string op, Dictionary<string, object> i)
        {
            switch (op)
            {
                case "load_key": return LoadKey(i);
                case "sign": return One("token", SignerOf(Get(i, "signer")).Sign(Str(i, "uri"), SignOpts(Get(i, "options"))));
                case "signed_url": return One("url", SignedUrl(i));
                case "url": return One("url", Url(i));
                case "cookie": return One("set_cookie", SignerOf(Get(i, "signer")).SignedCookie(Str(i, "uri"), SignOpts(Get(i, "options")), CookieOpts(Get(i, "cookie"))));
                case "verify": return Verify(i);
                case "explain":
                case "explain_token": return Explain(op, i);
                case "decode":
                {
                    var d = Tokens.DecodeUnverified(Str(i, "token"));
                    return new Dictionary<string, object> { { "header", Plain(d.Header) }, { "claims", Plain(d.Claims) } };
                }
                case "audit":
                {
                    var now = Get(i, "now");
                    var w = Tokens.Audit(Str(i, "token"), now == null ? (DateTimeOffset?)null : Time(now, "now"));
                    return new Dictionary<string, object> { { "warnings", w.Select(x => (object)x.Code).ToList() } };
                }
                case "from_env": return WithEnv(Obj(Get(i, "env")), () =>
                {
                    using (var s = Signer.FromEnv(Get(i, "key_id") as string))
                        return new Dictionary<string, object> { { "kid", s.KeyId }, { "bits", (long)s.KeyBits } };
                });
                case "client_from_env": return WithEnv(Obj(Get(i, "env")), () =>
                {
                    using (Client.FromEnv()) return new Dictionary<string, object> { { "ok", true } };
                });
                case "client": return ClientCase(i);
                case "jwks":
                    using (var v = VerifierOf(Get(i, "verifier")))
                        return One("jwks", Json.Parse(v.Jwks()));
                case "sign_many": return SignMany(i);
                case "cached_sign": return CachedSign(i);
                case "stream_coverage":
                    // The options dictionary as a C# user passes it (the core reads it).
                    return StreamProjection(Qencode.Cdn.Stream.Coverage(Str(i, "manifest_url"), Str(i, "manifest_text"), Get(i, "options") as Dictionary<string, object>));
                default: throw new UnexpressibleException("operation `" + op + "` is unknown to the C# runner");
            }
        }

        // A stream report as the cases write it: ok, format, findings, [kind, carrier, covered, finding] per request.
        private static object StreamProjection(IReadOnlyDictionary<string, object> report)
        {
            var requests = new List<object>();
            foreach (var o in (IEnumerable)report["requests"])
            {
                var r = (IReadOnlyDictionary<string, object>)o;
                requests.Add(new List<object> { r["kind"], r["carrier"], r["covered"], r["finding"] });
            }
            return new Dictionary<string, object>
            {
                { "ok", report["ok"] }, { "format", report["format"] }, { "findings", report["findings"] }, { "requests", requests },
            };
        }

        private static Dictionary<string, object> One(string k, object v) { return new Dictionary<string, object> { { k, v } }; }

        private static string Str(Dictionary<string, object> d, string k)
        {
            var v = Get(d, k);
            if (v != null && !(v is string)) throw new UnexpressibleException(k + " is not a string");
            return (string)v;
        }

        private static object Plain(IReadOnlyDictionary<string, object> d)
        {
            var o = new Dictionary<string, object>();
            foreach (var kv in d) o[kv.Key] = kv.Value;
            return o;
        }

        // ---- inputs to C# values ------------------------------------------------------

        private static byte[] KeyBytes(object spec, out string text)
        {
            text = null;
            if (spec is string) return Repo.Bytes((string)spec);
            var d = spec as Dictionary<string, object>;
            if (d != null && d.ContainsKey("text")) { text = (string)d["text"]; return null; }
            if (d != null && d.ContainsKey("base64")) return Convert.FromBase64String((string)d["base64"]);
            throw new UnexpressibleException("unknown key spec " + JsonMatch.Show(spec));
        }

        private static Signer LoadSigner(Dictionary<string, object> spec)
        {
            string text;
            var bytes = KeyBytes(spec["key"], out text);
            var kid = spec["kid"] as string;
            return text != null ? Signer.FromPem(kid, text) : Signer.FromKey(kid, bytes);
        }

        private static Signer SignerOf(object spec)
        {
            var d = spec as Dictionary<string, object>;
            if (d == null || !d.ContainsKey("kid") || !d.ContainsKey("key")) throw new UnexpressibleException("bad signer spec");
            var id = Json.Write(d);
            Signer s;
            if (!signers.TryGetValue(id, out s)) { s = LoadSigner(d); signers[id] = s; }
            return s;
        }

        private static object LoadKey(Dictionary<string, object> i)
        {
            using (var s = LoadSigner(new Dictionary<string, object> { { "kid", Get(i, "kid") }, { "key", Get(i, "key") } }))
                return new Dictionary<string, object>
                {
                    { "bits", (long)s.KeyBits },
                    { "public_key_pem", s.PublicKeyPem() },
                    { "public_key_jwk", Json.Parse(s.PublicKeyJwk()) },
                };
        }

        private static TimeSpan? Span(object v, string name)
        {
            if (v == null) return null;
            if (v is long)
            {
                long n = (long)v;
                if (n > TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond || n < TimeSpan.MinValue.Ticks / TimeSpan.TicksPerSecond)
                    throw new UnexpressibleException(name + " " + n + " s is beyond a TimeSpan");
                return TimeSpan.FromTicks(n * TimeSpan.TicksPerSecond);
            }
            if (v is double)
            {
                double d = (double)v * TimeSpan.TicksPerSecond;
                if (Math.Abs(d) >= long.MaxValue) throw new UnexpressibleException(name + " is beyond a TimeSpan");
                return TimeSpan.FromTicks((long)Math.Round(d));
            }
            throw new UnexpressibleException(name + " is a " + v.GetType().Name + ", not seconds: a TimeSpan cannot hold it");
        }

        private static DateTimeOffset Time(object v, string name)
        {
            if (!(v is long)) throw new UnexpressibleException(name + " " + JsonMatch.Show(v) + " is not whole Unix seconds: a DateTimeOffset cannot hold it");
            long n = (long)v;
            try { return DateTimeOffset.FromUnixTimeSeconds(n); }
            catch (ArgumentOutOfRangeException) { throw new UnexpressibleException(name + " " + n + " is outside the years 1 to 9999 of a DateTimeOffset"); }
        }

        private static DateTimeOffset? OptTime(object v, string name) { return v == null ? (DateTimeOffset?)null : Time(v, name); }

        internal static SignOptions SignOpts(object o)
        {
            if (o == null) return null;
            var d = o as Dictionary<string, object>;
            if (d == null) throw new UnexpressibleException("sign options are not an object");
            var s = new SignOptions();
            foreach (var kv in d)
            {
                switch (kv.Key)
                {
                    case "expires_in": s.ExpiresIn = Span(kv.Value, "expires_in"); break;
                    case "expires_at": s.ExpiresAt = OptTime(kv.Value, "expires_at"); break;
                    case "not_before": s.NotBefore = OptTime(kv.Value, "not_before"); break;
                    case "now": s.Now = OptTime(kv.Value, "now"); break;
                    case "claims":
                        if (kv.Value != null && !(kv.Value is Dictionary<string, object>)) throw new UnexpressibleException("claims is not an object: Claims is an IDictionary");
                        s.Claims = (Dictionary<string, object>)kv.Value;
                        break;
                    case "never_expires":
                        if (!(kv.Value is bool)) throw new UnexpressibleException("never_expires is not a bool");
                        s.NeverExpires = (bool)kv.Value;
                        break;
                    default: throw new UnexpressibleException("SignOptions has no property for `" + kv.Key + "`");
                }
            }
            return s;
        }

        private static CookieOptions CookieOpts(object o)
        {
            if (o == null) return null;
            var d = o as Dictionary<string, object>;
            if (d == null) throw new UnexpressibleException("cookie options are not an object");
            var c = new CookieOptions();
            foreach (var kv in d)
            {
                switch (kv.Key)
                {
                    case "domain": c.Domain = (string)kv.Value; break;
                    case "path": c.Path = (string)kv.Value; break;
                    case "same_site":
                        var s = (kv.Value as string ?? "").ToLowerInvariant();
                        if (s == "lax") c.SameSite = SameSite.Lax;
                        else if (s == "strict") c.SameSite = SameSite.Strict;
                        else if (s == "none") c.SameSite = SameSite.None;
                        else throw new UnexpressibleException("same_site " + JsonMatch.Show(kv.Value) + " is no SameSite value");
                        break;
                    case "secure": c.Secure = (bool)kv.Value; break;
                    case "http_only": c.HttpOnly = (bool)kv.Value; break;
                    default: throw new UnexpressibleException("CookieOptions has no property for `" + kv.Key + "`");
                }
            }
            return c;
        }

        private static VerifyOptions VerifyOpts(object o)
        {
            if (o == null) return null;
            var d = o as Dictionary<string, object>;
            if (d == null) throw new UnexpressibleException("verify options are not an object");
            var v = new VerifyOptions();
            foreach (var kv in d)
            {
                switch (kv.Key)
                {
                    case "key_id":
                        if (kv.Value != null && !(kv.Value is string)) throw new UnexpressibleException("key_id is not a string");
                        v.KeyId = (string)kv.Value;
                        break;
                    case "leeway": v.Leeway = Span(kv.Value, "leeway"); break;
                    case "now": v.Now = OptTime(kv.Value, "now"); break;
                    case "resource":
                        if (kv.Value == null) { v.Resource = null; break; }
                        var r = kv.Value as Dictionary<string, object>;
                        var kind = r == null ? null : Get(r, "kind") as string;
                        if (kind == "live" && r.Count == 2 && Get(r, "playback_id") is string) v.Resource = Resource.Live((string)r["playback_id"]);
                        else if (kind == "storage" && r.Count == 2 && Get(r, "key") is string) v.Resource = Resource.Storage((string)r["key"]);
                        else throw new UnexpressibleException("resource " + JsonMatch.Show(kv.Value) + " is no Resource");
                        break;
                    default: throw new UnexpressibleException("VerifyOptions has no property for `" + kv.Key + "`");
                }
            }
            return v;
        }

        private static Verifier VerifierOf(object spec)
        {
            var d = spec as Dictionary<string, object>;
            if (d != null && d.ContainsKey("public_key"))
            {
                string text;
                var bytes = KeyBytes(d["public_key"], out text);
                return text != null ? Verifier.FromPublicKey(text) : Verifier.FromPublicKey(bytes);
            }
            if (d != null && d.ContainsKey("jwk")) return Verifier.FromJwk(d["jwk"] as string);
            if (d != null && d.ContainsKey("signer")) return Verifier.FromSigner(SignerOf(d["signer"]));
            if (d != null && d.ContainsKey("jwks")) return Verifier.FromJwks(d["jwks"] as string);
            if (d != null && d.ContainsKey("keys"))
            {
                // Texts as strings; when any key is bytes (a DER file), every key as its bytes, as a user holding files would.
                var specs = (d["keys"] as List<object> ?? new List<object>()).Select(Obj).ToList();
                var pairs = new List<Tuple<string, string, byte[]>>();
                foreach (var k in specs)
                {
                    string text;
                    var bytes = KeyBytes(Get(k, "key"), out text);
                    pairs.Add(Tuple.Create(Get(k, "kid") as string, text, bytes));
                }
                if (pairs.All(p => p.Item2 != null))
                    return Verifier.FromKeys(pairs.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)));
                return Verifier.FromKeys(pairs.Select(p => new KeyValuePair<string, byte[]>(p.Item1, p.Item3 ?? System.Text.Encoding.UTF8.GetBytes(p.Item2))));
            }
            throw new UnexpressibleException("bad verifier spec");
        }

        // ---- batches and the cache --------------------------------------------------------

        private static List<SignRequest> Requests(object items)
        {
            var l = items as List<object>;
            if (l == null) throw new UnexpressibleException("items is not a list");
            return l.Select(o =>
            {
                var d = o as Dictionary<string, object>;
                if (d == null || d.Keys.Any(k => k != "uri" && k != "options")) throw new UnexpressibleException("an item is not {uri, options}");
                return new SignRequest(Str(d, "uri"), SignOpts(Get(d, "options")));
            }).ToList();
        }

        private static object Code(SignResult r) { return r.Ok ? null : (object)((IQencodeError)r.Error).CodeName; }

        private static object SignMany(Dictionary<string, object> i)
        {
            var t = Get(i, "threads");
            if (t != null && !(t is long)) throw new UnexpressibleException("threads is not an int");
            var results = SignerOf(Get(i, "signer")).SignMany(Requests(Get(i, "items")), t == null ? (int?)null : checked((int)(long)t));
            return new Dictionary<string, object>
            {
                { "tokens", results.Select(r => r.Ok ? (object)r.Token : null).ToList() },
                { "errors", results.Select(Code).ToList() },
            };
        }

        private static object CachedSign(Dictionary<string, object> i)
        {
            var window = Get(i, "window");
            if (!(window is long)) throw new UnexpressibleException("window is not whole seconds");
            var cap = Get(i, "capacity");
            if (cap != null && !(cap is long)) throw new UnexpressibleException("capacity is not an int");
            var requests = Requests(Get(i, "requests"));
            using (var cached = SignerOf(Get(i, "signer")).Cached(TimeSpan.FromSeconds((long)window), cap == null ? (int?)null : checked((int)(long)cap), cachePinnedClock: true))
            {
                var tokens = new List<string>();
                var errors = new List<object>();
                foreach (var r in requests)
                {
                    try { tokens.Add(cached.Sign(r.Uri, r.Options)); errors.Add(null); }
                    catch (Exception e) when (e is IQencodeError) { tokens.Add(null); errors.Add(((IQencodeError)e).CodeName); }
                }
                var exps = tokens.Select(tk =>
                {
                    if (tk == null) return (object)null;
                    object e;
                    return Tokens.DecodeUnverified(tk).Claims.TryGetValue("exp", out e) ? e : null;
                }).ToList();
                // `same` holds the tokens themselves (compared as labels by CheckSuccess), `cached_at_most` the count.
                return new Dictionary<string, object>
                {
                    { "same", tokens.Cast<object>().ToList() }, { "exps", exps }, { "errors", errors }, { "cached_at_most", cached.CachedTokens },
                };
            }
        }

        private static string[] Args(Dictionary<string, object> i, params string[] names)
        {
            var a = Obj(Get(i, "args"));
            return names.Select(n =>
            {
                if (!a.ContainsKey(n)) throw new UnexpressibleException("args." + n + " is missing");
                return Str(a, n);
            }).ToArray();
        }

        private static string SignedUrl(Dictionary<string, object> i)
        {
            var s = SignerOf(Get(i, "signer"));
            var o = SignOpts(Get(i, "options"));
            string[] a;
            switch (Str(i, "form"))
            {
                case "live": a = Args(i, "playback_id"); return s.SignedLiveUrl(a[0], o);
                case "live_custom_domain": a = Args(i, "domain", "playback_id"); return s.SignedLiveCustomDomainUrl(a[0], a[1], o);
                case "storage": a = Args(i, "bucket", "region", "key"); return s.SignedStorageUrl(a[0], a[1], a[2], o);
                case "storage_custom_domain": a = Args(i, "domain", "key"); return s.SignedStorageCustomDomainUrl(a[0], a[1], o);
                default: throw new UnexpressibleException("unknown url form");
            }
        }

        private static string Url(Dictionary<string, object> i)
        {
            var token = Str(i, "token");
            string[] a;
            switch (Str(i, "form"))
            {
                case "live": a = Args(i, "playback_id"); return Urls.LivePlaybackUrl(a[0], token);
                case "live_custom_domain": a = Args(i, "domain", "playback_id"); return Urls.LiveCustomDomainUrl(a[0], a[1], token);
                case "storage": a = Args(i, "bucket", "region", "key"); return Urls.StorageUrl(a[0], a[1], a[2], token);
                case "storage_custom_domain": a = Args(i, "domain", "key"); return Urls.StorageCustomDomainUrl(a[0], a[1], token);
                default: throw new UnexpressibleException("unknown url form");
            }
        }

        private static object Verify(Dictionary<string, object> i)
        {
            using (var v = VerifierOf(Get(i, "verifier")))
            {
                var t = v.Verify(Str(i, "token"), VerifyOpts(Get(i, "options")));
                return new Dictionary<string, object> { { "kid", t.KeyId }, { "claims", Plain(t.Claims) } };
            }
        }

        private static object Explain(string op, Dictionary<string, object> i)
        {
            using (var v = VerifierOf(Get(i, "verifier")))
            {
                var o = VerifyOpts(Get(i, "options"));
                var e = op == "explain" ? v.Explain(Str(i, "url"), o) : v.ExplainToken(Str(i, "token"), o);
                var details = new Dictionary<string, object>();
                foreach (var c in e.Checks) details[c.Name] = c.Detail ?? "";
                return new Dictionary<string, object>
                {
                    { "ok", e.Ok },
                    { "checks", e.Checks.Select(c => (object)(c.Name + ":" + (c.Passed ? "ok" : "FAIL"))).ToList() },
                    { "details", details },
                    { "warnings", e.Warnings.Select(w => (object)w.Code).ToList() },
                };
            }
        }

        private static object WithEnv(Dictionary<string, object> env, Func<object> f)
        {
            var saved = new Dictionary<string, string>();
            foreach (var kv in env)
            {
                saved[kv.Key] = Environment.GetEnvironmentVariable(kv.Key);
                string value;
                if (kv.Value == null) value = null;
                else if (kv.Value is string) value = (string)kv.Value;
                else if (kv.Value is Dictionary<string, object> && Get((Dictionary<string, object>)kv.Value, "file") is string)
                    value = Repo.Text((string)((Dictionary<string, object>)kv.Value)["file"]);
                else throw new UnexpressibleException("bad env value");
                // Mono's SetEnvironmentVariable changes the process environment that the library reads.
                Environment.SetEnvironmentVariable(kv.Key, value);
            }
            try { return f(); }
            finally { foreach (var kv in saved) Environment.SetEnvironmentVariable(kv.Key, kv.Value); }
        }

        // ---- client cases ---------------------------------------------------------------

        private static object ClientCase(Dictionary<string, object> i)
        {
            EmulatorBinary.Require();
            if (emulator == null) emulator = Emulator.Start(new[] { "conformance-api-key" });
            emulator.Reset();
            var faults = Get(i, "faults") as List<object>;
            if (faults != null)
                foreach (var f in faults) Fault(Obj(f));
            using (var client = emulator.CreateClient(ClientOpts(Get(i, "options"))))
            {
                var setup = Get(i, "setup") as List<object>;
                if (setup != null)
                    foreach (var s in setup) Call(client, Obj(s));
                return new Dictionary<string, object> { { "result", Call(client, i) } };
            }
        }

        private static void Fault(Dictionary<string, object> f)
        {
            foreach (var k in f.Keys)
                if (k != "route" && k != "kind" && k != "times" && k != "status" && k != "retry_after" && k != "delay_ms")
                    throw new UnexpressibleException("InjectFault has no parameter for `" + k + "`");
            Func<string, int?> i = k => f.ContainsKey(k) ? (int?)Convert.ToInt32(f[k]) : null;
            var retry = f.ContainsKey("retry_after") ? Span(f["retry_after"], "retry_after") : null;
            var delay = f.ContainsKey("delay_ms") ? (TimeSpan?)TimeSpan.FromMilliseconds(Convert.ToDouble(f["delay_ms"])) : null;
            emulator.InjectFault(f["route"] as string, f["kind"] as string, i("times"), i("status"), retry, delay);
        }

        private static ClientOptions ClientOpts(object o)
        {
            if (o == null) return null;
            var d = o as Dictionary<string, object>;
            if (d == null) throw new UnexpressibleException("client options are not an object");
            var c = new ClientOptions();
            foreach (var kv in d)
            {
                switch (kv.Key)
                {
                    case "timeout": c.Timeout = Span(kv.Value, "timeout"); break;
                    case "connect_timeout": c.ConnectTimeout = Span(kv.Value, "connect_timeout"); break;
                    case "deadline": c.Deadline = Span(kv.Value, "deadline"); break;
                    case "max_retries":
                        if (!(kv.Value is long)) throw new UnexpressibleException("max_retries is not an int");
                        c.MaxRetries = checked((int)(long)kv.Value);
                        break;
                    case "api_url": c.ApiUrl = (string)kv.Value; break;
                    case "auth_url": c.AuthUrl = (string)kv.Value; break;
                    default: throw new UnexpressibleException("ClientOptions has no property for `" + kv.Key + "`");
                }
            }
            return c;
        }

        private static DomainType Type(object v)
        {
            if ("live".Equals(v)) return DomainType.Live;
            if ("storage".Equals(v)) return DomainType.Storage;
            throw new UnexpressibleException("the domain type " + JsonMatch.Show(v) + " is no DomainType");
        }

        private static readonly Dictionary<string, object> StatusOk = new Dictionary<string, object> { { "status", "ok" } };

        private static object Call(Client c, Dictionary<string, object> step)
        {
            var call = step["call"] as string;
            var a = Obj(Get(step, "args"));
            Func<string, string> s = k =>
            {
                if (!a.ContainsKey(k)) throw new UnexpressibleException(call + ": argument `" + k + "` is missing");
                return Str(a, k);
            };
            switch (call)
            {
                case "create_domain": return c.CreateDomain(s("name"), Type(Get(a, "type"))).ToDictionary();
                case "get_domain": return c.GetDomain(s("id")).ToDictionary();
                case "list_domains":
                    return c.ListDomains(Get(a, "type") == null ? (DomainType?)null : Type(a["type"])).Select(d => (object)d.ToDictionary()).ToList();
                case "delete_domain": c.DeleteDomain(s("id")); return StatusOk;
                case "create_tls_subscription": return c.CreateTlsSubscription(s("domain_id")).ToDictionary();
                case "get_tls_subscription": return c.GetTlsSubscription(s("id")).ToDictionary();
                case "list_tls_subscriptions": return c.ListTlsSubscriptions().Select(d => (object)d.ToDictionary()).ToList();
                case "delete_tls_subscription": c.DeleteTlsSubscription(s("id")); return StatusOk;
                case "create_signing_key":
                {
                    var targets = new[] { "stream", "domain", "bucket" }.Where(a.ContainsKey).ToList();
                    if (targets.Count != 1) throw new UnexpressibleException("create_signing_key needs exactly one of stream, domain, bucket");
                    var t = targets[0] == "stream" ? SigningKeyTarget.Stream : targets[0] == "domain" ? SigningKeyTarget.Domain : SigningKeyTarget.Bucket;
                    return c.CreateSigningKey(t, s(targets[0])).ToDictionary();
                }
                case "get_signing_key": return c.GetSigningKey(s("id")).ToDictionary();
                case "list_signing_keys": return c.ListSigningKeys().Select(d => (object)d.ToDictionary()).ToList();
                case "rename_signing_key": return c.RenameSigningKey(s("id"), s("name")).ToDictionary();
                case "delete_signing_key": c.DeleteSigningKey(s("id")); return StatusOk;
                case "set_bucket_policy":
                {
                    var p = Get(a, "policy");
                    BucketPolicy policy;
                    if ("public".Equals(p)) policy = BucketPolicy.Public;
                    else if ("authenticated".Equals(p)) policy = BucketPolicy.Authenticated;
                    else throw new UnexpressibleException("the policy " + JsonMatch.Show(p) + " is no BucketPolicy");
                    c.SetBucketPolicy(s("bucket"), policy);
                    return StatusOk;
                }
                case "set_bucket_cors":
                {
                    var h = Get(a, "headers") as Dictionary<string, object>;
                    if (h == null || h.Values.Any(v => !(v is string))) throw new UnexpressibleException("headers is not an object of strings");
                    c.SetBucketCors(s("bucket"), h.ToDictionary(kv => kv.Key, kv => (string)kv.Value));
                    return StatusOk;
                }
                case "get_bucket_cors": return c.GetBucketCors(s("bucket")).ToDictionary(kv => kv.Key, kv => (object)kv.Value);
                case "delete_bucket_cors": c.DeleteBucketCors(s("bucket")); return StatusOk;
                case "delete_bucket_cors_header": c.DeleteBucketCorsHeader(s("bucket"), s("header")); return StatusOk;
                case "purge_bucket_cache": c.PurgeBucketCache(s("bucket")); return StatusOk;
                case "purge_object_cache": c.PurgeObjectCache(s("bucket"), s("path")); return StatusOk;
                default: throw new UnexpressibleException("unknown client call `" + call + "`");
            }
        }
    }
}
