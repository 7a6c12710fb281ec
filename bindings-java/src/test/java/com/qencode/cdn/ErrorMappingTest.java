package com.qencode.cdn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The error table: every code of the Java enum is the library's (same number,
 * same name), every code the library knows is in the enum, and every code
 * becomes its exception class with its details. (Inside the package: it
 * feeds {@code qcdn_last_error_json}-shaped documents to the one mapping
 * function; the other tests trigger the codes through real calls.)
 */
class ErrorMappingTest {
    static final Map<ErrorCode, Class<? extends RuntimeException>> CLASSES = Map.ofEntries(
            Map.entry(ErrorCode.INVALID_ARGUMENT, InvalidArgumentException.class),
            Map.entry(ErrorCode.INVALID_KEY, InvalidKeyException.class),
            Map.entry(ErrorCode.MALFORMED_TOKEN, MalformedTokenException.class),
            Map.entry(ErrorCode.INVALID_SIGNATURE, InvalidSignatureException.class),
            Map.entry(ErrorCode.TOKEN_EXPIRED, TokenExpiredException.class),
            Map.entry(ErrorCode.TOKEN_NOT_YET_VALID, TokenNotYetValidException.class),
            Map.entry(ErrorCode.URI_MISMATCH, UriMismatchException.class),
            Map.entry(ErrorCode.UNKNOWN_KEY_ID, UnknownKeyIdException.class),
            Map.entry(ErrorCode.UNAUTHORIZED, UnauthorizedException.class),
            Map.entry(ErrorCode.NOT_FOUND, NotFoundException.class),
            Map.entry(ErrorCode.RATE_LIMITED, RateLimitedException.class),
            Map.entry(ErrorCode.API_ERROR, ApiException.class),
            Map.entry(ErrorCode.TRANSPORT, TransportException.class),
            Map.entry(ErrorCode.TIMEOUT, QencodeTimeoutException.class),
            Map.entry(ErrorCode.DECODE, DecodeException.class),
            Map.entry(ErrorCode.INTERNAL, InternalException.class),
            Map.entry(ErrorCode.SIGNER_FAILED, SignerFailedException.class));

    static String details(ErrorCode code, Integer http, Double retryAfter, boolean typeError) {
        return "{\"code\":\"" + code.name() + "\",\"status_code\":" + code.number() + ",\"message\":\"what happened\","
                + "\"http_status\":" + http + ",\"retry_after\":" + retryAfter + ",\"body\":" + (http == null ? "null" : "\"{}\"")
                + ",\"request_id\":" + (http == null ? "null" : "\"req-1\"") + ",\"type_error\":" + typeError + "}";
    }

    @Test
    void everyCodeHasItsClassAndDetails() {
        assertEquals(ErrorCode.values().length, CLASSES.size());
        for (ErrorCode code : ErrorCode.values()) {
            boolean http = code == ErrorCode.API_ERROR || code == ErrorCode.UNAUTHORIZED || code == ErrorCode.NOT_FOUND
                    || code == ErrorCode.RATE_LIMITED;
            RuntimeException e = Errors.fromDetails(code.number(), details(code, http ? 429 : null, http ? 1.5 : null, false));
            assertEquals(CLASSES.get(code), e.getClass(), code::name);
            QencodeError q = (QencodeError) e;
            assertEquals(code, q.code());
            assertEquals(code.name() + ": what happened", e.getMessage());
            assertEquals(code.isTokenError(), e instanceof TokenException, code::name);
            assertEquals(code == ErrorCode.INVALID_ARGUMENT, e instanceof IllegalArgumentException, code::name);
            assertEquals(code != ErrorCode.INVALID_ARGUMENT, e instanceof QencodeException, code::name);
            if (http) {
                ApiException a = (ApiException) e;
                assertEquals(429, a.status().orElseThrow());
                assertEquals(Duration.ofMillis(1500), a.retryAfter().orElseThrow());
                assertEquals("req-1", a.requestId().orElseThrow());
                assertEquals("{}", a.body().orElseThrow());
            } else {
                assertTrue(q.status().isEmpty(), code::name);
            }
        }
        RuntimeException typed = Errors.fromDetails(1, details(ErrorCode.INVALID_ARGUMENT, null, null, true));
        assertTrue(typed instanceof InvalidArgumentTypeException && ((InvalidArgumentException) typed).isTypeError());
    }

    @Test
    void detailsOfAnotherFailureAreNeverUsedAndUnknownNumbersAreInternal() {
        RuntimeException e = Errors.fromDetails(ErrorCode.NOT_FOUND.number(),
                details(ErrorCode.TOKEN_EXPIRED, null, null, false));
        assertEquals(NotFoundException.class, e.getClass());
        assertFalse(e.getMessage().contains("what happened"));
        RuntimeException unknown = Errors.fromDetails(999, null);
        assertEquals(InternalException.class, unknown.getClass());
        assertTrue(unknown.getMessage().contains("999"));
    }

    @Test
    void theJavaTableIsTheLibrarysTable() {
        for (ErrorCode code : ErrorCode.values()) {
            assertEquals(code.name(), QencodeCdn.statusName(code.number()), "qcdn_status_str(" + code.number() + ")");
            assertEquals(code, ErrorCode.fromNumber(code.number()));
        }
        assertEquals("OK", QencodeCdn.statusName(0));
        for (int n = 1; n < 64; n++) {
            String name = QencodeCdn.statusName(n);
            if (!name.equals("UNKNOWN")) {
                ErrorCode code = ErrorCode.fromNumber(n);
                assertTrue(code != null && code.name().equals(name), "the library's code " + n + " " + name + " is mapped");
            }
        }
    }

    @Test
    void aRealFailureCarriesTheLibrarysDetails() {
        InvalidKeyException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidKeyException.class,
                () -> Signer.fromPem("k", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"));
        assertTrue(e.getMessage().startsWith("INVALID_KEY: "), e.getMessage());
        assertFalse(e.getMessage().contains("AAAA"), "no key bytes in the message");
    }
}
