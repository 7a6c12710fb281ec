package com.qencode.cdn;

/**
 * One item of a batch ({@link Signer#signMany}): a {@code uri} and its
 * options.
 *
 * @param uri what the token grants: a playback id, an object key or key prefix, or {@code ""} for a whole bucket
 * @param options the options, or {@code null} for the defaults
 */
public record SignRequest(String uri, SignOptions options) {
    /** An item with the default options (expires one hour after signing). */
    public static SignRequest of(String uri) {
        return new SignRequest(uri, null);
    }

    /** An item with {@code options} ({@code null}: the defaults). */
    public static SignRequest of(String uri, SignOptions options) {
        return new SignRequest(uri, options);
    }
}
