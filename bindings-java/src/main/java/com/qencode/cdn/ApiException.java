package com.qencode.cdn;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code API_ERROR}: a non-success answer of the management API, and the base
 * of {@link UnauthorizedException}, {@link NotFoundException} and
 * {@link RateLimitedException}. {@link #status()} is the HTTP status,
 * {@link #body()} the answer (capped), {@link #requestId()} the API's request
 * id, {@link #retryAfter()} the server's {@code Retry-After}.
 */
public class ApiException extends QencodeException {
    private static final long serialVersionUID = 1L;

    private final Integer status;
    private final String body;
    private final String requestId;
    private final Duration retryAfter;

    /**
     * @param code {@code API_ERROR}, {@code UNAUTHORIZED}, {@code NOT_FOUND} or {@code RATE_LIMITED}
     * @param message the server's message
     * @param status the HTTP status, or {@code null}
     * @param body the response body, or {@code null}
     * @param requestId the API's request id, or {@code null}
     * @param retryAfter the server's {@code Retry-After}, or {@code null}
     */
    public ApiException(ErrorCode code, String message, Integer status, String body, String requestId,
                        Duration retryAfter) {
        super(code, message);
        switch (code) {
            case API_ERROR, UNAUTHORIZED, NOT_FOUND, RATE_LIMITED -> { }
            default -> throw new IllegalArgumentException(code + " is not an API answer's code");
        }
        this.status = status;
        this.body = body;
        this.requestId = requestId;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status of the answer. */
    @Override
    public OptionalInt status() {
        return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** The response body, capped in size (the library never puts a secret it sent there). */
    public Optional<String> body() {
        return Optional.ofNullable(body);
    }

    /** The API's request id, when it sent one. */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    /** The server's {@code Retry-After}, when it sent one (429, 503). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
