package com.qencode.cdn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attributes of the signed {@code Qencode-Auth-Token} cookie (immutable).
 * Defaults: no {@code Domain} (host-only), {@code Path} = the folder the
 * token's {@code uri} covers, {@code Secure}, {@code HttpOnly},
 * {@code SameSite=Lax}.
 */
public final class CookieOptions {
    private static final CookieOptions DEFAULTS = new Builder().build();

    private final Map<String, Object> values;

    private CookieOptions(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every default. */
    public static CookieOptions defaults() {
        return DEFAULTS;
    }

    Map<String, Object> values() {
        return values;
    }

    @Override
    public String toString() {
        return "CookieOptions" + values;
    }

    /** Builds {@link CookieOptions}. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        private Builder() {
        }

        /** {@code Domain=}: the application's primary domain, so every subdomain (the playback domain) gets the cookie. */
        public Builder domain(String domain) {
            values.put("domain", domain);
            return this;
        }

        /** {@code Path=}; default the folder the token's {@code uri} covers. A single file needs its own path here. */
        public Builder path(String path) {
            values.put("path", path);
            return this;
        }

        /** {@code SameSite=} (default {@link SameSite#LAX}). */
        public Builder sameSite(SameSite sameSite) {
            values.put("same_site", sameSite == null ? null : sameSite.attribute());
            return this;
        }

        /** {@code false} leaves out {@code Secure} (plain-HTTP local tests only). */
        public Builder secure(boolean secure) {
            values.put("secure", secure);
            return this;
        }

        /** {@code false} leaves out {@code HttpOnly} (lets page scripts read the token). */
        public Builder httpOnly(boolean httpOnly) {
            values.put("http_only", httpOnly);
            return this;
        }

        /** The options. */
        public CookieOptions build() {
            return new CookieOptions(values);
        }
    }
}
