package com.qencode.cdn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A signing key as the API lists it (without its private key). {@link #id()}
 * is the {@code kid} of the tokens it signs.
 *
 * @param id the key id
 * @param name a name for people, or {@code null}
 * @param created creation time as the API writes it, or {@code null}
 * @param streamId the stream it is for, or {@code null}
 * @param domainId the domain it is for, or {@code null}
 * @param bucketName the bucket it is for, or {@code null}
 * @param extra fields this version does not know
 */
public record SigningKey(String id, String name, String created, String streamId, String domainId, String bucketName,
                         Map<String, Object> extra) {
    static final Set<String> KNOWN = Set.of("id", "name", "created", "stream_id", "domain_id", "bucket_name");

    /** The API's document. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", name);
        ApiDocs.put(m, "created", created);
        ApiDocs.put(m, "stream_id", streamId);
        ApiDocs.put(m, "domain_id", domainId);
        ApiDocs.put(m, "bucket_name", bucketName);
        m.putAll(extra);
        return m;
    }

    static SigningKey fromMap(Map<String, Object> d) {
        return new SigningKey(Values.required(d, "id"), Values.string(d, "name"), Values.string(d, "created"),
                Values.string(d, "stream_id"), Values.string(d, "domain_id"), Values.string(d, "bucket_name"),
                ApiDocs.extra(d, KNOWN));
    }
}
