<?php

declare(strict_types=1);

namespace Qencode\Cdn;

use Qencode\Cdn\Internal\Native;

/**
 * The four playback and storage URL forms, with an optional token in the
 * `auth` query parameter. Host parts are validated and keys percent-encoded
 * per segment by the core; a bad part is an {@see InvalidArgumentException}.
 * (Signed forms: the `signed*Url` methods of {@see Signer}.)
 */
final class Urls
{
    private function __construct()
    {
    }

    /** `https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8` */
    public static function livePlaybackUrl(string $playbackId, ?string $token = null): string
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_live_playback_url(
            Native::cstr($playbackId, 'playbackId'),
            self::token($token),
            \FFI::addr($out),
        ));
        return Native::take($out);
    }

    /** `https://{domain}/{playbackId}.m3u8` */
    public static function liveCustomDomainUrl(string $domain, string $playbackId, ?string $token = null): string
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_live_custom_domain_url(
            Native::cstr($domain, 'domain'),
            Native::cstr($playbackId, 'playbackId'),
            self::token($token),
            \FFI::addr($out),
        ));
        return Native::take($out);
    }

    /** `https://{bucket}.media-storage.{region}.qencode.com/{key}` (regions `us-west`, `eu-central`) */
    public static function storageUrl(string $bucket, string $region, string $key, ?string $token = null): string
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_storage_url(
            Native::cstr($bucket, 'bucket'),
            Native::cstr($region, 'region'),
            Native::cstr($key, 'key'),
            self::token($token),
            \FFI::addr($out),
        ));
        return Native::take($out);
    }

    /** `https://{domain}/{key}` */
    public static function storageCustomDomainUrl(string $domain, string $key, ?string $token = null): string
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_storage_custom_domain_url(
            Native::cstr($domain, 'domain'),
            Native::cstr($key, 'key'),
            self::token($token),
            \FFI::addr($out),
        ));
        return Native::take($out);
    }

    private static function token(?string $token): ?string
    {
        return $token === null ? null : Native::cstr($token, 'token');
    }
}
