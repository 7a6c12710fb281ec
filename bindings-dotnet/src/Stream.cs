// Coverage of a whole HLS or DASH stream by a query token or the signed
// cookie (DESIGN §12), over qcdn_stream_coverage and qcdn_stream_check: the
// options go to the core as JSON, the report comes back as plain values.
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Qencode.Cdn
{
    /// <summary>
    /// Which requests of an HLS or DASH stream a query token or a signed cookie covers:
    /// <see cref="Coverage"/> from a manifest's text without any I/O, <see cref="Check"/> over HTTP as a player would.
    /// <para>
    /// The options are a dictionary with the core's snake_case keys, read by the core (unknown keys, wrong types and
    /// out-of-range values are an <see cref="InvalidArgumentException"/>): <c>cookie</c> (a <c>Set-Cookie</c> value),
    /// <c>segments</c> (1..50), <c>stream</c> (<c>"live"</c> or <c>"storage"</c>), <c>now</c> (Unix seconds); for
    /// <see cref="Check"/> also <c>connect_to</c> (<c>"ADDR:PORT"</c>), <c>origin</c>, <c>ca_pem</c>, <c>timeout</c>
    /// (seconds) and <c>propagate_token</c>.
    /// </para>
    /// <para>
    /// The report is the core's, as <c>Dictionary&lt;string, object&gt;</c>, <c>List&lt;object&gt;</c>, <c>long</c>,
    /// <c>string</c>, <c>bool</c> and <c>null</c>: <c>ok</c>, <c>format</c>, <c>stream</c>, <c>fetched</c>,
    /// <c>requests</c> (each with <c>kind</c>, <c>url</c>, <c>carrier</c>, <c>covered</c>, <c>finding</c>,
    /// <c>detail</c>, <c>status</c>, and for a check <c>edge_reason</c>), <c>findings</c>, <c>advice</c>,
    /// <c>warnings</c>, <c>refused</c>.
    /// </para>
    /// </summary>
    public static class Stream
    {
        /// <summary>
        /// Coverage of the manifest at <paramref name="manifestUrl"/> (an HLS master or media playlist, or a DASH MPD,
        /// given as <paramref name="manifestText"/>) and of the variant playlists and first segments it names, relative
        /// URIs resolved. Nothing is fetched: each request's <c>status</c> is null. Text that is not a manifest is an
        /// <see cref="InvalidArgumentException"/>.
        /// </summary>
        public static IReadOnlyDictionary<string, object> Coverage(string manifestUrl, string manifestText, IDictionary<string, object> options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_stream_coverage(Utf8.Encode(manifestUrl, "manifestUrl"),
                Utf8.Encode(manifestText, "manifestText"), OptionsJson(options), out p));
            return Json.Object(Utf8.Take(p), "the stream coverage report");
        }

        /// <summary>
        /// Fetches the manifest at <paramref name="url"/>, every variant playlist and the init and first media segments
        /// of each, and reports what the edge answered and, for a refusal, why (a stable finding code). Blocks the
        /// calling thread for the requests (each bounded by <c>timeout</c>). A refused request is not an exception
        /// (<c>ok</c> is false); a manifest that gets no answer is a <see cref="TransportException"/> or
        /// <see cref="QencodeTimeoutException"/>.
        /// </summary>
        public static IReadOnlyDictionary<string, object> Check(string url, IDictionary<string, object> options = null)
        {
            IntPtr p;
            Errors.Check(NativeMethods.qcdn_stream_check(Utf8.Encode(url, "url"), OptionsJson(options), out p));
            return Json.Object(Utf8.Take(p), "the stream check report");
        }

        /// <summary>
        /// <see cref="Check"/> on the thread pool; <paramref name="cancellationToken"/> is honoured until the check
        /// starts (a started check runs to its own <c>timeout</c>).
        /// </summary>
        public static Task<IReadOnlyDictionary<string, object>> CheckAsync(string url, IDictionary<string, object> options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Task.Run(() => Check(url, options), cancellationToken);
        }

        private static byte[] OptionsJson(IDictionary<string, object> options)
        {
            return options == null ? null : Utf8.Encode(Json.Write(options), "options");
        }
    }
}
