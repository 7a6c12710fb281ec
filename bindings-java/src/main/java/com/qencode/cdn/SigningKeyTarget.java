package com.qencode.cdn;

/**
 * What a new signing key is for: a live stream (by stream id), a playback
 * domain (by domain id) or a media-storage bucket (by name).
 *
 * @param kind which of the three
 * @param id the stream id, domain id or bucket name
 */
public record SigningKeyTarget(Kind kind, String id) {
    /** The three kinds of target. */
    public enum Kind {
        /** A live stream. */
        STREAM(0),
        /** A playback domain. */
        DOMAIN(1),
        /** A media-storage bucket. */
        BUCKET(2);

        final int number;

        Kind(int number) {
            this.number = number;
        }
    }

    /** @throws InvalidArgumentException when {@code kind} is null */
    public SigningKeyTarget {
        if (kind == null) {
            throw new InvalidArgumentException("the signing key target's kind is null");
        }
    }

    /** A key for a live stream. */
    public static SigningKeyTarget stream(String streamId) {
        return new SigningKeyTarget(Kind.STREAM, streamId);
    }

    /** A key for a playback domain. */
    public static SigningKeyTarget domain(String domainId) {
        return new SigningKeyTarget(Kind.DOMAIN, domainId);
    }

    /** A key for a media-storage bucket. */
    public static SigningKeyTarget bucket(String bucketName) {
        return new SigningKeyTarget(Kind.BUCKET, bucketName);
    }
}
