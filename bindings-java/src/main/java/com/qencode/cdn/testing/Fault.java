package com.qencode.cdn.testing;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fault for {@link Emulator#injectFault(Fault)}: the next {@link #times}
 * requests matching {@code route} fail. {@code route} is {@code "*"} or
 * {@code "METHOD /path"} where {@code *} matches one segment
 * ({@code "GET /v1/domains/*"}). The emulator's own parser reads it.
 */
public final class Fault {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Fault(String route, String kind) {
        fields.put("route", route);
        fields.put("kind", kind);
    }

    /** Answer with an HTTP status (503, 429, 500 …). */
    public static Fault status(String route, int status) {
        Fault f = new Fault(route, "status");
        f.fields.put("status", status);
        return f;
    }

    /** Answer after a delay (tests of timeouts and deadlines). */
    public static Fault delay(String route, Duration delay) {
        Fault f = new Fault(route, "delay");
        f.fields.put("delay_ms", delay.toMillis());
        return f;
    }

    /** Close the connection without answering. */
    public static Fault drop(String route) {
        return new Fault(route, "drop");
    }

    /** Send half an answer. */
    public static Fault truncate(String route) {
        return new Fault(route, "truncate");
    }

    /** Answer 200 with a body that is not JSON. */
    public static Fault notJson(String route) {
        return new Fault(route, "not_json");
    }

    /** How many matching requests fail (default 1). */
    public Fault times(int times) {
        fields.put("times", times);
        return this;
    }

    /** A {@code Retry-After} header of this many seconds (with a status). */
    public Fault retryAfter(int seconds) {
        fields.put("retry_after", seconds);
        return this;
    }

    /** The fault as the admin API's JSON object. */
    public Map<String, Object> toMap() {
        return new LinkedHashMap<>(fields);
    }

    @Override
    public String toString() {
        return "Fault" + fields;
    }
}
