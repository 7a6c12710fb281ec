package com.qencode.cdn;

import java.time.Duration;

/** {@code UNAUTHORIZED}: HTTP 401/403 after one access-token renewal (a wrong or revoked API key). */
public class UnauthorizedException extends ApiException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the server's message
     * @param status the HTTP status, or {@code null}
     * @param body the response body, or {@code null}
     * @param requestId the API's request id, or {@code null}
     * @param retryAfter the server's {@code Retry-After}, or {@code null}
     */
    public UnauthorizedException(String message, Integer status, String body, String requestId, Duration retryAfter) {
        super(ErrorCode.UNAUTHORIZED, message, status, body, requestId, retryAfter);
    }
}
