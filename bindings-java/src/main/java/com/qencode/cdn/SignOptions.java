package com.qencode.cdn;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of one signature, built once and reused for any number of calls
 * (immutable, thread-safe; the JSON the core reads is made once, in
 * {@link Builder#build()}).
 *
 * <pre>{@code
 * SignOptions opts = SignOptions.builder()
 *         .expiresIn(Duration.ofMinutes(10))
 *         .claim("viewer", "u-42")
 *         .build();
 * }</pre>
 *
 * <p>Without options a token expires one hour after signing. The rules are
 * the Rust core's, the same in every language: a lifetime given as
 * {@code null} ({@code expiresIn(null)}, {@code expiresAt(null)}) is an
 * {@link InvalidArgumentTypeException}, never "forever" nor the default; the
 * only way to a token without {@code exp} is {@link Builder#neverExpires()};
 * {@code expiresAt} wins over {@code expiresIn}; a lifetime must be whole
 * seconds and more than zero; an absolute time beyond the year 5138 is taken
 * for milliseconds and refused.
 */
public final class SignOptions {
    private static final SignOptions DEFAULTS = new Builder().build();

    private final Map<String, Object> values;
    private final String json;
    final byte[] cjson;

    private SignOptions(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.json = Json.write(this.values, "sign options");
        this.cjson = CStrings.of(json, "sign options");
    }

    /** A builder with nothing set (the defaults). */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: expires one hour after signing, no {@code nbf}, no custom claims, the system clock. */
    public static SignOptions defaults() {
        return DEFAULTS;
    }

    /** The options as the JSON object the core reads (snake_case keys; only what was set). */
    public String toJson() {
        return json;
    }

    Map<String, Object> values() {
        return values;
    }

    @Override
    public String toString() {
        return "SignOptions" + json;
    }

    /** Builds {@link SignOptions}; not thread-safe, the options it builds are. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();
        private Map<String, Object> claims;

        private Builder() {
        }

        /**
         * Time from signing to {@code exp} (default one hour). Whole seconds;
         * {@code null}, zero, a negative or a fractional duration is refused when signing.
         */
        public Builder expiresIn(Duration lifetime) {
            values.put("expires_in", Values.seconds(lifetime));
            return this;
        }

        /** Absolute {@code exp} (rounded down to the second); wins over {@link #expiresIn}. {@code null} is refused. */
        public Builder expiresAt(Instant expiresAt) {
            values.put("expires_at", Values.unixSeconds(expiresAt));
            return this;
        }

        /** Absolute {@code nbf} (rounded down to the second); {@code null} means none. */
        public Builder notBefore(Instant notBefore) {
            values.put("not_before", Values.unixSeconds(notBefore));
            return this;
        }

        /**
         * Adds a custom claim: a JSON value ({@code String}, {@code Number},
         * {@code Boolean}, {@code Map}, {@code List}, an array, {@code null}) or
         * an {@code Instant} (Unix seconds). {@code uri}, {@code exp} and
         * {@code nbf} are reserved.
         */
        public Builder claim(String name, Object value) {
            if (claims == null) {
                claims = new LinkedHashMap<>();
            }
            claims.put(name, value);
            values.put("claims", claims);
            return this;
        }

        /** Replaces the custom claims ({@code null}: none). */
        public Builder claims(Map<String, ?> claims) {
            this.claims = claims == null ? null : new LinkedHashMap<>(claims);
            values.put("claims", this.claims);
            return this;
        }

        /**
         * A token with no {@code exp} at all: valid until its signing key is
         * deleted. Asked for by name only; combined with a lifetime it is refused.
         */
        public Builder neverExpires() {
            values.put("never_expires", Boolean.TRUE);
            return this;
        }

        /** Signs as if the time were this (tests, reproducible tokens); default the system clock. */
        public Builder now(Instant now) {
            values.put("now", Values.unixSeconds(now));
            return this;
        }

        /**
         * The options. A custom claim that is no JSON value is an
         * {@link InvalidArgumentTypeException} here; every other rule is
         * applied by the core when signing.
         */
        public SignOptions build() {
            return new SignOptions(values);
        }
    }
}
