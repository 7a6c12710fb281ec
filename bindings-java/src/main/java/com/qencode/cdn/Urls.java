package com.qencode.cdn;

import com.sun.jna.ptr.PointerByReference;

/**
 * The four playback URL forms, checked (DNS labels, playback id, bucket,
 * region) and percent-encoded by the core; with a token in {@code auth} when
 * one is given. To sign and build in one call use the {@code signed…} methods
 * of {@link Signer}.
 */
public final class Urls {
    private Urls() {
    }

    /** {@code https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8}. */
    public static String livePlaybackUrl(String playbackId) {
        return livePlaybackUrl(playbackId, null);
    }

    /** The live playback URL with {@code ?auth={token}} ({@code token} may be {@code null}). */
    public static String livePlaybackUrl(String playbackId, String token) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_live_playback_url(CStrings.of(playbackId, "playbackId"), CStrings.of(token, "token"), out));
        return CStrings.take(out);
    }

    /** {@code https://{domain}/{playbackId}.m3u8}. */
    public static String liveCustomDomainUrl(String domain, String playbackId) {
        return liveCustomDomainUrl(domain, playbackId, null);
    }

    /** The live custom-domain URL with {@code ?auth={token}} ({@code token} may be {@code null}). */
    public static String liveCustomDomainUrl(String domain, String playbackId, String token) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_live_custom_domain_url(CStrings.of(domain, "domain"), CStrings.of(playbackId, "playbackId"),
                CStrings.of(token, "token"), out));
        return CStrings.take(out);
    }

    /** {@code https://{bucket}.media-storage.{region}.qencode.com/{key}} (regions {@code us-west}, {@code eu-central}). */
    public static String storageUrl(String bucket, String region, String key) {
        return storageUrl(bucket, region, key, null);
    }

    /** The storage URL with {@code ?auth={token}} ({@code token} may be {@code null}). */
    public static String storageUrl(String bucket, String region, String key, String token) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_storage_url(CStrings.of(bucket, "bucket"), CStrings.of(region, "region"),
                CStrings.of(key, "key"), CStrings.of(token, "token"), out));
        return CStrings.take(out);
    }

    /** {@code https://{domain}/{key}}. */
    public static String storageCustomDomainUrl(String domain, String key) {
        return storageCustomDomainUrl(domain, key, null);
    }

    /** The storage custom-domain URL with {@code ?auth={token}} ({@code token} may be {@code null}). */
    public static String storageCustomDomainUrl(String domain, String key, String token) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_storage_custom_domain_url(CStrings.of(domain, "domain"), CStrings.of(key, "key"),
                CStrings.of(token, "token"), out));
        return CStrings.take(out);
    }
}
