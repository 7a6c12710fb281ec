package com.qencode.cdn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A managed TLS certificate subscription for a domain.
 *
 * @param id the subscription id
 * @param domainId the domain it is for
 * @param status {@code pending}, {@code active}, … as the API writes it
 * @param created creation time as the API writes it, or {@code null}
 * @param message the API's note (what to do next), or {@code null}
 * @param extra fields this version does not know
 */
public record TlsSubscription(String id, String domainId, String status, String created, String message,
                              Map<String, Object> extra) {
    private static final Set<String> KNOWN = Set.of("id", "domain_id", "status", "created", "message");

    /** The API's document. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("domain_id", domainId);
        m.put("status", status);
        ApiDocs.put(m, "created", created);
        ApiDocs.put(m, "message", message);
        m.putAll(extra);
        return m;
    }

    static TlsSubscription fromMap(Map<String, Object> d) {
        return new TlsSubscription(Values.required(d, "id"), Values.required(d, "domain_id"),
                Values.required(d, "status"), Values.string(d, "created"), Values.string(d, "message"),
                ApiDocs.extra(d, KNOWN));
    }
}
