package com.qencode.cdn;

/**
 * The verification errors: {@link MalformedTokenException},
 * {@link InvalidSignatureException}, {@link TokenExpiredException},
 * {@link TokenNotYetValidException}, {@link UriMismatchException},
 * {@link UnknownKeyIdException}.
 */
public class TokenException extends QencodeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code one of the verification codes ({@link ErrorCode#isTokenError()})
     * @param message what failed
     */
    public TokenException(ErrorCode code, String message) {
        super(code, message);
        if (!code.isTokenError()) {
            throw new IllegalArgumentException(code + " is not a verification code");
        }
    }
}
