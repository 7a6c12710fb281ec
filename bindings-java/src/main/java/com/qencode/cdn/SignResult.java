package com.qencode.cdn;

import java.util.Objects;
import java.util.Optional;

/**
 * The result of one item of {@link Signer#signMany}: its token, or the
 * exception that item failed with (never both). {@link #token()} throws that
 * exception, so a failed item cannot become a URL by accident.
 * {@code toString()} never shows the token.
 */
public final class SignResult {
    private final String token;
    private final RuntimeException error;

    private SignResult(String token, RuntimeException error) {
        this.token = token;
        this.error = error;
    }

    static SignResult ok(String token) {
        return new SignResult(Objects.requireNonNull(token, "token"), null);
    }

    static SignResult failed(RuntimeException error) {
        return new SignResult(null, Objects.requireNonNull(error, "error"));
    }

    /** Whether this item was signed. */
    public boolean isOk() {
        return error == null;
    }

    /**
     * The token.
     *
     * @throws RuntimeException the item's exception (an {@link InvalidArgumentException} or a
     *     {@link QencodeException}, as the same call to {@link Signer#sign} would throw) when it failed
     */
    public String token() {
        if (error != null) {
            throw error;
        }
        return token;
    }

    /** The item's exception ({@link QencodeError} gives its code), or empty when it was signed. */
    public Optional<RuntimeException> error() {
        return Optional.ofNullable(error);
    }

    /** {@code SignResult[ok]} or {@code SignResult[CODE: message]}; never the token. */
    @Override
    public String toString() {
        return error == null ? "SignResult[ok]" : "SignResult[" + error.getMessage() + "]";
    }
}
