package com.qencode.cdn;

/** {@code INVALID_SIGNATURE}: the signature does not verify, or the algorithm is not RS256 (HS256 included). */
public class InvalidSignatureException extends TokenException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public InvalidSignatureException(String message) {
        super(ErrorCode.INVALID_SIGNATURE, message);
    }
}
