package com.qencode.cdn;

/** {@code TOKEN_EXPIRED}: {@code exp} has passed (beyond the leeway). */
public class TokenExpiredException extends TokenException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public TokenExpiredException(String message) {
        super(ErrorCode.TOKEN_EXPIRED, message);
    }
}
