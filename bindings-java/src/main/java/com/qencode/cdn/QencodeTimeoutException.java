package com.qencode.cdn;

/** {@code TIMEOUT}: a deadline passed (connect, one attempt, or the whole call). */
public class QencodeTimeoutException extends QencodeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public QencodeTimeoutException(String message) {
        super(ErrorCode.TIMEOUT, message);
    }
}
