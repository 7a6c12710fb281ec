package com.qencode.cdn;

/** A media-storage bucket's access policy. */
public enum BucketPolicy {
    /** {@code "public"}: anyone may read. */
    PUBLIC(0),
    /** {@code "authenticated"}: every request needs a signed token. */
    AUTHENTICATED(1);

    final int number;

    BucketPolicy(int number) {
        this.number = number;
    }
}
