package com.qencode.cdn;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Java time values as the numbers the core reads (seconds). */
final class Values {
    private Values() {
    }

    /**
     * A {@code Duration} in seconds: a whole number when it is whole, else the
     * exact decimal ({@code Duration.ofMillis(1500)} is {@code 1.5}). The core
     * decides what a fraction means (refused for a token lifetime, allowed for
     * a client timeout). {@code null} stays {@code null}.
     */
    static Object seconds(Duration d) {
        if (d == null) {
            return null;
        }
        if (d.getNano() == 0) {
            return d.getSeconds();
        }
        return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).stripTrailingZeros();
    }

    /** An {@code Instant} as Unix seconds, rounded down (tokens carry whole seconds); {@code null} stays {@code null}. */
    static Object unixSeconds(Instant t) {
        return t == null ? null : (Object) t.getEpochSecond();
    }

    static String string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new DecodeException("`" + key + "` is not a string in the library's answer");
    }

    static String required(Map<String, Object> m, String key) {
        String s = string(m, key);
        if (s == null) {
            throw new DecodeException("`" + key + "` is missing from the library's answer");
        }
        return s;
    }
}
