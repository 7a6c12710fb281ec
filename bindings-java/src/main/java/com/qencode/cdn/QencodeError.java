package com.qencode.cdn;

import java.util.OptionalInt;

/**
 * What every error of this library has: a stable {@link ErrorCode}, a
 * message for people ({@code "CODE: what happened"}) and, for answers of the
 * API, the HTTP status. Implemented by {@link QencodeException} (every code
 * but {@code INVALID_ARGUMENT}) and by {@link InvalidArgumentException}, which
 * is an {@link IllegalArgumentException} as Java expects of a wrong argument.
 * Catch both with {@code catch (QencodeException | InvalidArgumentException e)};
 * {@code e.code()} works on either.
 *
 * <p>Messages never contain key material, API keys or access tokens.
 */
public interface QencodeError {
    /** The stable code. */
    ErrorCode code();

    /** {@code "CODE: what happened"}. */
    String getMessage();

    /** The HTTP status of an error the API answered; empty for every other error. */
    default OptionalInt status() {
        return OptionalInt.empty();
    }
}
