package com.qencode.cdn;

/** {@code TOKEN_NOT_YET_VALID}: {@code nbf} is still in the future (beyond the leeway). */
public class TokenNotYetValidException extends TokenException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public TokenNotYetValidException(String message) {
        super(ErrorCode.TOKEN_NOT_YET_VALID, message);
    }
}
