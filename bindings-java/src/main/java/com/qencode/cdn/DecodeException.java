package com.qencode.cdn;

/** {@code DECODE}: the server's answer is not what the API documents. */
public class DecodeException extends QencodeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public DecodeException(String message) {
        super(ErrorCode.DECODE, message);
    }
}
