package com.qencode.cdn;

/** {@code UNKNOWN_KEY_ID}: the token's {@code kid} is not the expected key id. */
public class UnknownKeyIdException extends TokenException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public UnknownKeyIdException(String message) {
        super(ErrorCode.UNKNOWN_KEY_ID, message);
    }
}
