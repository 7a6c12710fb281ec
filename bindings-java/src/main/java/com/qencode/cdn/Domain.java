package com.qencode.cdn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A custom playback domain.
 *
 * @param id the domain id
 * @param domainName the host name, e.g. {@code live.example.com}
 * @param type live or storage
 * @param created creation time as the API writes it, or {@code null}
 * @param extra fields this version does not know, as the API sent them
 */
public record Domain(String id, String domainName, DomainType type, String created, Map<String, Object> extra) {
    private static final Set<String> KNOWN = Set.of("id", "domain_name", "type", "created");

    /** The API's document: every field with its API name, unknown ones included. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("domain_name", domainName);
        m.put("type", type.apiName());
        ApiDocs.put(m, "created", created);
        m.putAll(extra);
        return m;
    }

    static Domain fromMap(Map<String, Object> d) {
        return new Domain(Values.required(d, "id"), Values.required(d, "domain_name"),
                DomainType.fromApi(Values.required(d, "type")), Values.string(d, "created"), ApiDocs.extra(d, KNOWN));
    }
}
