package com.qencode.cdn;

import java.time.Duration;

/** {@code RATE_LIMITED}: HTTP 429 after the retries; {@link #retryAfter()} is the server's hint. */
public class RateLimitedException extends ApiException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the server's message
     * @param status the HTTP status, or {@code null}
     * @param body the response body, or {@code null}
     * @param requestId the API's request id, or {@code null}
     * @param retryAfter the server's {@code Retry-After}, or {@code null}
     */
    public RateLimitedException(String message, Integer status, String body, String requestId, Duration retryAfter) {
        super(ErrorCode.RATE_LIMITED, message, status, body, requestId, retryAfter);
    }
}
