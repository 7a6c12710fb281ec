package com.qencode.cdn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Why the edge would accept or refuse a signed URL (or a bare token), check
 * by check, in words, from the core's {@code explain}.
 *
 * @param ok whether every check passed
 * @param url the URL examined ({@code ""} for {@link Verifier#explainToken})
 * @param form {@code live_playback}, {@code live_custom_domain}, {@code storage},
 *     {@code storage_custom_domain}, or {@code null}
 * @param resource what the URL asks for, or {@code null}
 * @param keyId the token's {@code kid}, or {@code null}
 * @param claims the token's claims when they could be read, else {@code null}
 * @param checks every check in order
 * @param warnings what the token grants that may be more than meant (never makes {@code ok} false)
 */
public record Explanation(boolean ok, String url, String form, Resource resource, String keyId,
                          Map<String, Object> claims, List<Check> checks, List<AuditWarning> warnings) {

    /** The first check that failed, if any. */
    public Optional<Check> firstFailure() {
        return checks.stream().filter(c -> !c.passed()).findFirst();
    }

    /** The check of this name, if it ran. */
    public Optional<Check> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    @SuppressWarnings("unchecked")
    static Explanation fromJson(String json) {
        Map<String, Object> m = Json.parseObject(json);
        List<Check> checks = new ArrayList<>();
        if (m.get("checks") instanceof List<?> l) {
            for (Object o : l) {
                Map<String, Object> c = (Map<String, Object>) o;
                checks.add(new Check(Values.required(c, "name"), Boolean.TRUE.equals(c.get("passed")),
                        Values.string(c, "detail")));
            }
        }
        Object claims = m.get("claims");
        return new Explanation(Boolean.TRUE.equals(m.get("ok")), Values.string(m, "url"), Values.string(m, "form"),
                Resource.fromMap(m.get("resource")), Values.string(m, "key_id"),
                claims instanceof Map ? (Map<String, Object>) claims : null,
                Collections.unmodifiableList(checks), warnings(m.get("warnings")));
    }

    @SuppressWarnings("unchecked")
    static List<AuditWarning> warnings(Object o) {
        List<AuditWarning> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object w : l) {
                Map<String, Object> m = (Map<String, Object>) w;
                out.add(new AuditWarning(Values.required(m, "code"), Values.string(m, "message")));
            }
        }
        return Collections.unmodifiableList(out);
    }
}
