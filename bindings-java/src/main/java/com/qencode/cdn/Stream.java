package com.qencode.cdn;

import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/**
 * Which requests of a whole HLS or DASH stream a query token or a signed
 * cookie covers (DESIGN §12): {@link #coverage} from a manifest's text
 * without any I/O, {@link #check} over HTTP as a player would.
 *
 * <p>The options are a map with the core's snake_case keys, read by the
 * core (unknown keys, wrong types and out-of-range values are an
 * {@link InvalidArgumentException}): {@code cookie} (a {@code Set-Cookie}
 * value), {@code segments} (1..50), {@code stream} ({@code "live"} or
 * {@code "storage"}), {@code now} (Unix seconds, or an {@link java.time.Instant});
 * for {@link #check} also {@code connect_to} ({@code "ADDR:PORT"}),
 * {@code origin}, {@code ca_pem}, {@code timeout} (seconds) and
 * {@code propagate_token}.
 *
 * <p>The report is the core's, as plain values (unmodifiable {@code Map},
 * {@code List}, {@code Long}, {@code String}, {@code Boolean}, {@code null}):
 * {@code ok}, {@code format}, {@code stream}, {@code fetched},
 * {@code requests} (each with {@code kind}, {@code url}, {@code carrier},
 * {@code covered}, {@code finding}, {@code detail}, {@code status}, and for a
 * check {@code edge_reason}), {@code findings}, {@code advice},
 * {@code warnings}, {@code refused}.
 */
public final class Stream {
    private Stream() {
    }

    /** {@link #coverage(String, String, Map)} with the default options. */
    public static Map<String, Object> coverage(String manifestUrl, String manifestText) {
        return coverage(manifestUrl, manifestText, null);
    }

    /**
     * Coverage of the manifest at {@code manifestUrl} (HLS master or media
     * playlist, or a DASH MPD, given as {@code manifestText}) and of the
     * variant playlists and first segments it names, relative URIs resolved.
     * Nothing is fetched: each request's {@code status} is {@code null}. Text
     * that is not a manifest is an {@link InvalidArgumentException}.
     *
     * @param options the options ({@code null}: the defaults)
     */
    public static Map<String, Object> coverage(String manifestUrl, String manifestText, Map<String, ?> options) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_stream_coverage(CStrings.of(manifestUrl, "manifestUrl"),
                CStrings.of(manifestText, "manifestText"), optionsJson(options), out));
        return Json.parseObject(CStrings.take(out));
    }

    /** {@link #check(String, Map)} with the default options. */
    public static Map<String, Object> check(String url) {
        return check(url, null);
    }

    /**
     * Fetches the manifest at {@code url}, every variant playlist and the init
     * and first media segments of each, and reports what the edge answered
     * and, for a refusal, why (a stable finding code). Blocks the calling
     * thread for the requests (each bounded by {@code timeout}). A refused
     * request is not an exception ({@code ok} is {@code false}); a manifest
     * that gets no answer is a {@link TransportException} or
     * {@link QencodeTimeoutException}.
     *
     * @param options the options ({@code null}: the defaults)
     */
    public static Map<String, Object> check(String url, Map<String, ?> options) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_stream_check(CStrings.of(url, "url"), optionsJson(options), out));
        return Json.parseObject(CStrings.take(out));
    }

    private static byte[] optionsJson(Map<String, ?> options) {
        return options == null ? null : CStrings.of(Json.write(options, "stream options"), "stream options");
    }
}
