package com.qencode.cdn;

/** {@code URI_MISMATCH}: a valid token whose {@code uri} does not cover the requested resource. */
public class UriMismatchException extends TokenException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public UriMismatchException(String message) {
        super(ErrorCode.URI_MISMATCH, message);
    }
}
