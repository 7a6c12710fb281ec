package com.qencode.cdn;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of one verification (immutable, reusable). Default: the verifier's
 * own expected key id, no leeway, the system clock, no resource check.
 */
public final class VerifyOptions {
    private static final VerifyOptions DEFAULTS = new Builder().build();

    private final String json;
    final byte[] cjson;

    private VerifyOptions(Map<String, Object> values) {
        this.json = Json.write(values, "verify options");
        this.cjson = CStrings.of(json, "verify options");
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every default. */
    public static VerifyOptions defaults() {
        return DEFAULTS;
    }

    /** The options as the JSON object the core reads. */
    public String toJson() {
        return json;
    }

    @Override
    public String toString() {
        return "VerifyOptions" + json;
    }

    /** Builds {@link VerifyOptions}. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        private Builder() {
        }

        /** Require this {@code kid} (overrides the verifier's own); {@code null}: the verifier's. */
        public Builder keyId(String keyId) {
            values.put("key_id", keyId);
            return this;
        }

        /** Clock skew tolerated on {@code exp} and {@code nbf} (whole seconds, not negative). */
        public Builder leeway(Duration leeway) {
            values.put("leeway", Values.seconds(leeway));
            return this;
        }

        /** Verify as if the time were this (rounded down to the second). */
        public Builder now(Instant now) {
            values.put("now", Values.unixSeconds(now));
            return this;
        }

        /**
         * Require that the token covers this resource: a valid token that does
         * not is an {@link UriMismatchException}. Ignored by {@link Verifier#explain}
         * (a URL names its resource).
         */
        public Builder resource(Resource resource) {
            values.put("resource", resource == null ? null : resource.toMap());
            return this;
        }

        /** The options. */
        public VerifyOptions build() {
            return new VerifyOptions(values);
        }
    }
}
