using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Qencode.Cdn
{
    /// <summary>The four playback URL forms, with an optional token as the <c>auth</c> query parameter. Host parts are validated by the core.</summary>
    public static class Urls
    {
        /// <summary><c>https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8</c>.</summary>
        public static string LivePlaybackUrl(string playbackId, string token = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_live_playback_url(Utf8.Encode(playbackId, "playbackId"), Utf8.Encode(token, "token"), out p));
            return Utf8.Take(p);
        }

        /// <summary><c>https://{domain}/{playbackId}.m3u8</c>.</summary>
        public static string LiveCustomDomainUrl(string domain, string playbackId, string token = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_live_custom_domain_url(Utf8.Encode(domain, "domain"), Utf8.Encode(playbackId, "playbackId"), Utf8.Encode(token, "token"), out p));
            return Utf8.Take(p);
        }

        /// <summary><c>https://{bucket}.media-storage.{region}.qencode.com/{key}</c> (regions <c>us-west</c>, <c>eu-central</c>; the key percent-encoded per segment).</summary>
        public static string StorageUrl(string bucket, string region, string key, string token = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_storage_url(Utf8.Encode(bucket, "bucket"), Utf8.Encode(region, "region"), Utf8.Encode(key, "key"), Utf8.Encode(token, "token"), out p));
            return Utf8.Take(p);
        }

        /// <summary><c>https://{domain}/{key}</c> (the key percent-encoded per segment).</summary>
        public static string StorageCustomDomainUrl(string domain, string key, string token = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_storage_custom_domain_url(Utf8.Encode(domain, "domain"), Utf8.Encode(key, "key"), Utf8.Encode(token, "token"), out p));
            return Utf8.Take(p);
        }
    }

    /// <summary>A token's header and claims, read without verifying anything.</summary>
    public sealed class DecodedToken
    {
        internal DecodedToken(Dictionary<string, object> doc)
        {
            object v;
            var h = doc.TryGetValue("header", out v) ? v as Dictionary<string, object> : null;
            var c = doc.TryGetValue("claims", out v) ? v as Dictionary<string, object> : null;
            Header = new ReadOnlyDictionary<string, object>(h ?? new Dictionary<string, object>());
            Claims = new ReadOnlyDictionary<string, object>(c ?? new Dictionary<string, object>());
        }
        /// <summary><c>alg</c>, <c>typ</c>, <c>kid</c> …</summary>
        public IReadOnlyDictionary<string, object> Header { get; private set; }
        /// <summary><c>uri</c>, <c>exp</c>, <c>nbf</c> and custom claims.</summary>
        public IReadOnlyDictionary<string, object> Claims { get; private set; }
    }

    /// <summary>Functions on tokens that need no key.</summary>
    public static class Tokens
    {
        /// <summary>
        /// Decodes a token's header and claims <b>without verifying anything</b>: for display and
        /// debugging, never for an access decision (use <see cref="Verifier.Verify"/>).
        /// </summary>
        public static DecodedToken DecodeUnverified(string token)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_decode_unverified(Utf8.Encode(token, "token"), out p));
            return new DecodedToken(Json.Object(Utf8.Take(p), "the decoded token"));
        }

        /// <summary>
        /// What a token grants that may be more than meant, in words: a prefix that covers siblings, the whole bucket,
        /// no expiry, a lifetime over a day, a leading slash. <paramref name="now"/> is the audit's clock (null = the system clock).
        /// </summary>
        public static IReadOnlyList<AuditWarning> Audit(string token, DateTimeOffset? now = null)
        {
            IntPtr p;
            long at = now.HasValue ? now.Value.ToUnixTimeSeconds() : 0;
            Errors.Check(NativeMethods.qcdn_audit(Utf8.Encode(token, "token"), at, out p));
            var d = Json.Object(Utf8.Take(p), "the audit");
            object w;
            return AuditWarning.List(d.TryGetValue("warnings", out w) ? w : null);
        }

        /// <summary>The native library's version, e.g. <c>0.1.0</c>.</summary>
        public static string LibraryVersion { get { return Utf8.Static(NativeMethods.qcdn_version()); } }
    }
}
