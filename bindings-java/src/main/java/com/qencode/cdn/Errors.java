package com.qencode.cdn;

import com.sun.jna.ptr.PointerByReference;
import java.time.Duration;
import java.util.Map;

/** {@code qcdn_status} and {@code qcdn_last_error_json} to this package's exceptions. */
final class Errors {
    private Errors() {
    }

    static String prefixed(ErrorCode code, String message) {
        String m = message == null ? "" : message;
        String prefix = code.name() + ":";
        return m.startsWith(prefix) ? m : m.isEmpty() ? code.name() : prefix + " " + m;
    }

    /** Throws the error of a failed call (status not 0); call it on the thread that made the call. */
    static void check(int status) {
        if (status != 0) {
            throw last(status);
        }
    }

    /** The exception for {@code status}, with the details the library kept for this thread. */
    static RuntimeException last(int status) {
        PointerByReference out = new PointerByReference();
        String json = null;
        if (Lib.qcdn_last_error_json(out) == 0) {
            json = CStrings.take(out);
        }
        return fromDetails(status, json);
    }

    /**
     * The exception for a failed call's status and its {@code qcdn_last_error_json}
     * document. The document is used only when it describes this failure (its
     * {@code status_code} equals {@code status}); otherwise the code alone is
     * reported, never another call's details.
     */
    static RuntimeException fromDetails(int status, String detailsJson) {
        return fromDetails(status, detailsJson == null ? null : Json.parse(detailsJson));
    }

    /**
     * The exception of one failed item of a batch: its {@code error} member,
     * an object with the fields of {@code qcdn_last_error_json}.
     */
    static RuntimeException fromItemError(Object error) {
        if (error instanceof Map<?, ?> m && m.get("status_code") instanceof Long n && n > 0 && n <= Integer.MAX_VALUE) {
            return fromDetails(n.intValue(), m);
        }
        return new DecodeException("a failed item of the batch has no error details the package can read");
    }

    private static RuntimeException fromDetails(int status, Object parsed) {
        ErrorCode code = ErrorCode.fromNumber(status);
        Map<String, Object> d = Map.of();
        if (parsed instanceof Map<?, ?> m && m.get("status_code") instanceof Long n && n == status) {
            @SuppressWarnings("unchecked")
            Map<String, Object> details = (Map<String, Object>) m;
            d = details;
        }
        if (code == null) {
            return new InternalException("the library failed with status " + status
                    + ", which this version of the Java package does not know: " + string(d, "message"));
        }
        String message = d.isEmpty() ? "(no details)" : string(d, "message");
        Integer http = d.get("http_status") instanceof Long n ? Integer.valueOf(n.intValue()) : null;
        String body = d.get("body") instanceof String s ? s : null;
        String requestId = d.get("request_id") instanceof String s ? s : null;
        Duration retryAfter = d.get("retry_after") instanceof Number n ? seconds(n) : null;
        boolean typeError = Boolean.TRUE.equals(d.get("type_error"));
        return switch (code) {
            case INVALID_ARGUMENT -> typeError ? new InvalidArgumentTypeException(message)
                    : new InvalidArgumentException(message);
            case INVALID_KEY -> new InvalidKeyException(message);
            case MALFORMED_TOKEN -> new MalformedTokenException(message);
            case INVALID_SIGNATURE -> new InvalidSignatureException(message);
            case TOKEN_EXPIRED -> new TokenExpiredException(message);
            case TOKEN_NOT_YET_VALID -> new TokenNotYetValidException(message);
            case URI_MISMATCH -> new UriMismatchException(message);
            case UNKNOWN_KEY_ID -> new UnknownKeyIdException(message);
            case UNAUTHORIZED -> new UnauthorizedException(message, http, body, requestId, retryAfter);
            case NOT_FOUND -> new NotFoundException(message, http, body, requestId, retryAfter);
            case RATE_LIMITED -> new RateLimitedException(message, http, body, requestId, retryAfter);
            case API_ERROR -> new ApiException(ErrorCode.API_ERROR, message, http, body, requestId, retryAfter);
            case TRANSPORT -> new TransportException(message);
            case TIMEOUT -> new QencodeTimeoutException(message);
            case DECODE -> new DecodeException(message);
            case INTERNAL -> new InternalException(message);
            case SIGNER_FAILED -> new SignerFailedException(message);
        };
    }

    private static String string(Map<String, Object> d, String key) {
        return d.get(key) instanceof String s ? s : "";
    }

    private static Duration seconds(Number n) {
        double s = n.doubleValue();
        if (!(s >= 0) || s > 1e12) {
            return null;
        }
        long whole = (long) s;
        return Duration.ofSeconds(whole, Math.round((s - whole) * 1e9));
    }
}
