<?php

declare(strict_types=1);

namespace Qencode\Cdn;

use Qencode\Cdn\Internal\Native;
use Qencode\Cdn\Internal\Options;

/**
 * Which requests of a whole HLS or DASH stream a query token or a signed
 * cookie covers (DESIGN §12): {@see Stream::coverage()} from a manifest's
 * text without any I/O, {@see Stream::check()} over HTTP as a player would.
 *
 * The options are an array with the core's snake_case keys, read by the
 * core (unknown keys, wrong types and out-of-range values are an
 * {@see InvalidArgumentException}): `cookie` (a `Set-Cookie` value),
 * `segments` (1..50), `stream` (`'live'` or `'storage'`), `now` (Unix
 * seconds or a `DateTimeInterface`); for a check also `connect_to`
 * (`'ADDR:PORT'`), `origin`, `ca_pem`, `timeout` (seconds or a
 * `DateInterval`) and `propagate_token`.
 *
 * The report is the core's, as arrays: `ok`, `format`, `stream`, `fetched`,
 * `requests` (each with `kind`, `url`, `carrier`, `covered`, `finding`,
 * `detail`, `status`, and for a check `edge_reason`), `findings`, `advice`,
 * `warnings`, `refused`.
 */
final class Stream
{
    private function __construct()
    {
    }

    /**
     * Coverage of the manifest at `$manifestUrl` (an HLS master or media
     * playlist, or a DASH MPD, given as `$manifestText`) and of the variant
     * playlists and first segments it names, relative URIs resolved. Nothing
     * is fetched: each request's `status` is null. Text that is not a
     * manifest is an {@see InvalidArgumentException}.
     *
     * @param array<string, mixed> $options
     * @return array<string, mixed>
     * @throws InvalidArgumentException
     */
    public static function coverage(string $manifestUrl, string $manifestText, array $options = []): array
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_stream_coverage(
            Native::cstr($manifestUrl, 'manifestUrl'),
            Native::cstr($manifestText, 'manifestText'),
            Options::json($options),
            \FFI::addr($out),
        ));
        return Native::takeJson($out);
    }

    /**
     * Fetches the manifest at `$url`, every variant playlist and the init and
     * first media segments of each, and reports what the edge answered and,
     * for a refusal, why (a stable finding code). Blocks for the requests
     * (each bounded by `timeout`). A refused request is not an exception
     * (`ok` is false); a manifest that gets no answer is a
     * {@see TransportException} or {@see TimeoutException}.
     *
     * @param array<string, mixed> $options
     * @return array<string, mixed>
     * @throws InvalidArgumentException|TransportException|TimeoutException
     */
    public static function check(string $url, array $options = []): array
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_stream_check(Native::cstr($url, 'url'), Options::json($options), \FFI::addr($out)));
        return Native::takeJson($out);
    }
}
