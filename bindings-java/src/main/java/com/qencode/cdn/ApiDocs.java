package com.qencode.cdn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Helpers of the typed client results: known fields out, the rest kept in {@code extra}. */
final class ApiDocs {
    private ApiDocs() {
    }

    static Map<String, Object> extra(Map<String, Object> doc, Set<String> known) {
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : doc.entrySet()) {
            if (!known.contains(e.getKey())) {
                extra.put(e.getKey(), e.getValue());
            }
        }
        return Collections.unmodifiableMap(extra);
    }

    /** Puts {@code value} unless it is null (the API leaves out what it does not have). */
    static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
