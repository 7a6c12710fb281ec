package com.qencode.cdn;

/** {@code MALFORMED_TOKEN}: not three base64url parts of JSON with a {@code uri}. */
public class MalformedTokenException extends TokenException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public MalformedTokenException(String message) {
        super(ErrorCode.MALFORMED_TOKEN, message);
    }
}
