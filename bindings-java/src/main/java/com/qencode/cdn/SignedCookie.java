package com.qencode.cdn;

import java.util.Map;
import java.util.OptionalLong;

/**
 * A signed {@code Qencode-Auth-Token} cookie as its fields, for frameworks
 * that set cookies from parts (a servlet {@code Cookie}, Spring's
 * {@code ResponseCookie}). For the whole {@code Set-Cookie} header value use
 * {@link Signer#signedCookieHeader}.
 *
 * @param name {@code Qencode-Auth-Token}
 * @param value the token
 * @param domain the {@code Domain} attribute, or {@code null} (host-only)
 * @param path the {@code Path} attribute
 * @param maxAge seconds, or {@code null} for a token that never expires (a session cookie)
 * @param secure whether {@code Secure} is set
 * @param httpOnly whether {@code HttpOnly} is set
 * @param sameSite the {@code SameSite} attribute
 */
public record SignedCookie(String name, String value, String domain, String path, Long maxAge, boolean secure,
                           boolean httpOnly, SameSite sameSite) {

    /** {@link #maxAge()} as an {@code OptionalLong}. */
    public OptionalLong maxAgeSeconds() {
        return maxAge == null ? OptionalLong.empty() : OptionalLong.of(maxAge);
    }

    static SignedCookie fromJson(String json) {
        Map<String, Object> m = Json.parseObject(json);
        Object maxAge = m.get("max_age");
        return new SignedCookie(Values.required(m, "name"), Values.required(m, "value"), Values.string(m, "domain"),
                Values.required(m, "path"), maxAge instanceof Long n ? n : null,
                Boolean.TRUE.equals(m.get("secure")), Boolean.TRUE.equals(m.get("http_only")),
                SameSite.fromAttribute(Values.required(m, "same_site")));
    }
}
