package com.qencode.cdn;

/**
 * The stable error codes shared by every language (the error table of the
 * design, {@code qcdn_status} in C). The constant names are the code strings
 * ({@link #name()} is {@code "INVALID_ARGUMENT"}, …) and {@link #number()}
 * is the C status number; neither ever changes meaning.
 */
public enum ErrorCode {
    /** A bad input caught before any I/O. */
    INVALID_ARGUMENT(1),
    /** A key that cannot be parsed, is not RSA, or is too small. */
    INVALID_KEY(2),
    /** A token that is not three base64url parts of JSON. */
    MALFORMED_TOKEN(3),
    /** The signature does not verify, or the algorithm is not RS256. */
    INVALID_SIGNATURE(4),
    /** The token's {@code exp} has passed (beyond the leeway). */
    TOKEN_EXPIRED(5),
    /** The token's {@code nbf} is still in the future (beyond the leeway). */
    TOKEN_NOT_YET_VALID(6),
    /** The token's {@code uri} does not cover the requested resource. */
    URI_MISMATCH(7),
    /** The token's {@code kid} is not the expected key id. */
    UNKNOWN_KEY_ID(8),
    /** HTTP 401/403 from the API after one access-token renewal. */
    UNAUTHORIZED(9),
    /** HTTP 404 from the API. */
    NOT_FOUND(10),
    /** HTTP 429 from the API after the retries. */
    RATE_LIMITED(11),
    /** Any other non-success answer of the API. */
    API_ERROR(12),
    /** DNS, connect, TLS or a reset connection. */
    TRANSPORT(13),
    /** A deadline passed. */
    TIMEOUT(14),
    /** The server's answer is not what the API documents. */
    DECODE(15),
    /** A bug in the library, or a caught panic. */
    INTERNAL(16),
    /** An external signer (HSM, KMS, a callback) failed or returned a signature that does not verify. */
    SIGNER_FAILED(17);

    private static final ErrorCode[] BY_NUMBER;

    static {
        int max = 0;
        for (ErrorCode c : values()) {
            max = Math.max(max, c.number);
        }
        BY_NUMBER = new ErrorCode[max + 1];
        for (ErrorCode c : values()) {
            BY_NUMBER[c.number] = c;
        }
    }

    private final int number;

    ErrorCode(int number) {
        this.number = number;
    }

    /** The C ABI's {@code qcdn_status} number of this code ({@code QCDN_ERR_*}). */
    public int number() {
        return number;
    }

    /** True for the verification codes (the {@link TokenException} family). */
    public boolean isTokenError() {
        return switch (this) {
            case MALFORMED_TOKEN, INVALID_SIGNATURE, TOKEN_EXPIRED, TOKEN_NOT_YET_VALID, URI_MISMATCH, UNKNOWN_KEY_ID -> true;
            case INVALID_ARGUMENT, INVALID_KEY, UNAUTHORIZED, NOT_FOUND, RATE_LIMITED, API_ERROR, TRANSPORT, TIMEOUT,
                 DECODE, INTERNAL, SIGNER_FAILED -> false;
        };
    }

    /**
     * The code of a {@code qcdn_status} number, or {@code null} for 0 (success)
     * and numbers this version does not know.
     */
    public static ErrorCode fromNumber(int number) {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }
}
