package com.qencode.cdn;

import com.sun.jna.ptr.PointerByReference;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Reading tokens without a key: {@link #decodeUnverified} and {@link #audit}. */
public final class Tokens {
    private Tokens() {
    }

    /**
     * The header and claims of a token, not verified. A token that is not
     * three base64url parts of JSON objects with a string {@code uri} is a
     * {@link MalformedTokenException}.
     */
    @SuppressWarnings("unchecked")
    public static DecodedToken decodeUnverified(String token) {
        PointerByReference out = new PointerByReference();
        Errors.check(Lib.qcdn_decode_unverified(CStrings.of(token, "token"), out));
        Map<String, Object> m = Json.parseObject(CStrings.take(out));
        return new DecodedToken((Map<String, Object>) m.get("header"), (Map<String, Object>) m.get("claims"));
    }

    /** {@link #audit(String, Instant)} at the system clock. */
    public static List<AuditWarning> audit(String token) {
        return audit(token, null);
    }

    /**
     * What a token grants that may be more than meant, in the core's order:
     * {@code PREFIX_COVERS_SIBLINGS} ({@code videos/a} also covers
     * {@code videos/ab/…}), {@code WHOLE_BUCKET}, {@code NEVER_EXPIRES},
     * {@code LONG_LIFETIME}, {@code LEADING_SLASH}. Nothing is verified.
     *
     * @param now the audit's clock, or {@code null} for the system clock
     */
    public static List<AuditWarning> audit(String token, Instant now) {
        PointerByReference out = new PointerByReference();
        long at = now == null ? 0 : now.getEpochSecond();
        Errors.check(Lib.qcdn_audit(CStrings.of(token, "token"), at, out));
        return Explanation.warnings(Json.parseObject(CStrings.take(out)).get("warnings"));
    }
}
