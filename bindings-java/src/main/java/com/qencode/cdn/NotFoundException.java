package com.qencode.cdn;

import java.time.Duration;

/** {@code NOT_FOUND}: HTTP 404 (no such domain, subscription, key or bucket). */
public class NotFoundException extends ApiException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the server's message
     * @param status the HTTP status, or {@code null}
     * @param body the response body, or {@code null}
     * @param requestId the API's request id, or {@code null}
     * @param retryAfter the server's {@code Retry-After}, or {@code null}
     */
    public NotFoundException(String message, Integer status, String body, String requestId, Duration retryAfter) {
        super(ErrorCode.NOT_FOUND, message, status, body, requestId, retryAfter);
    }
}
