package com.qencode.cdn;

/** {@code INVALID_KEY}: a key that cannot be parsed, is not RSA or is too small (the message says which format was seen, never the key). */
public class InvalidKeyException extends QencodeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public InvalidKeyException(String message) {
        super(ErrorCode.INVALID_KEY, message);
    }
}
