package com.qencode.cdn;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A token that passed verification.
 *
 * @param keyId the token's {@code kid} header, or {@code null} when it has none
 * @param claims every claim ({@code uri}, {@code exp}, {@code nbf}, custom ones), unmodifiable:
 *     whole numbers are {@code Long}, other numbers {@code Double}
 */
public record VerifiedToken(String keyId, Map<String, Object> claims) {
    /** The {@code uri} claim. */
    public String uri() {
        return (String) claims.get("uri");
    }

    /** The {@code exp} claim; empty for a token that never expires. */
    public Optional<Instant> expiresAt() {
        return time("exp");
    }

    /** The {@code nbf} claim, when present. */
    public Optional<Instant> notBefore() {
        return time("nbf");
    }

    private Optional<Instant> time(String name) {
        return claims.get(name) instanceof Number n ? Optional.of(Instant.ofEpochSecond(n.longValue())) : Optional.empty();
    }

    @SuppressWarnings("unchecked")
    static VerifiedToken fromJson(String json) {
        Map<String, Object> m = Json.parseObject(json);
        if (!(m.get("claims") instanceof Map)) {
            throw new DecodeException("no claims in the library's answer");
        }
        return new VerifiedToken(Values.string(m, "kid"), (Map<String, Object>) m.get("claims"));
    }
}
