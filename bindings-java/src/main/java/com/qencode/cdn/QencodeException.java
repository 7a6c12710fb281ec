package com.qencode.cdn;

import java.util.Objects;

/**
 * The base of this library's errors for every code but
 * {@code INVALID_ARGUMENT} (which is an {@link InvalidArgumentException}, an
 * {@link IllegalArgumentException}): {@link #code()} is the stable
 * {@link ErrorCode}, the subclass says the family ({@link InvalidKeyException},
 * {@link TokenException} and its six kinds, {@link ApiException} with
 * {@link UnauthorizedException}, {@link NotFoundException} and
 * {@link RateLimitedException}, {@link TransportException},
 * {@link QencodeTimeoutException}, {@link DecodeException},
 * {@link InternalException}, {@link SignerFailedException}).
 *
 * <p>The message is {@code "CODE: what happened"} and never contains key
 * material, API keys or access tokens.
 */
public class QencodeException extends RuntimeException implements QencodeError {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * An error with a code and a message ({@code "CODE: "} is prefixed when the message lacks it).
     *
     * @param code the stable code; {@code INVALID_ARGUMENT} belongs to {@link InvalidArgumentException}
     * @param message what happened
     */
    public QencodeException(ErrorCode code, String message) {
        super(Errors.prefixed(Objects.requireNonNull(code, "code"), message));
        if (code == ErrorCode.INVALID_ARGUMENT) {
            throw new IllegalArgumentException("INVALID_ARGUMENT is an InvalidArgumentException");
        }
        this.code = code;
    }

    @Override
    public ErrorCode code() {
        return code;
    }
}
