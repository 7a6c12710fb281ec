package com.qencode.cdn;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A signing key just created: the only time the API returns its private key.
 * Store {@link #privateKey()} somewhere safe (a secret manager); it cannot be
 * fetched again. {@link #toString()} shows it as {@code <redacted>}.
 *
 * @param id the key id (the tokens' {@code kid})
 * @param privateKey the private key, PEM
 * @param name a name for people, or {@code null}
 * @param created creation time as the API writes it, or {@code null}
 * @param streamId the stream it is for, or {@code null}
 * @param domainId the domain it is for, or {@code null}
 * @param bucketName the bucket it is for, or {@code null}
 * @param extra fields this version does not know
 */
public record NewSigningKey(String id, String privateKey, String name, String created, String streamId,
                            String domainId, String bucketName, Map<String, Object> extra) {
    private static final Set<String> KNOWN;

    static {
        Set<String> k = new HashSet<>(SigningKey.KNOWN);
        k.add("private_key");
        KNOWN = Set.copyOf(k);
    }

    /** A {@link Signer} for this key ({@code kid} = {@link #id()}). */
    public Signer signer() {
        return Signer.fromPem(id, privateKey);
    }

    /** The key's public fields. */
    public SigningKey signingKey() {
        return new SigningKey(id, name, created, streamId, domainId, bucketName, extra);
    }

    /** The API's document, private key included. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(signingKey().toMap());
        m.put("private_key", privateKey);
        return m;
    }

    /** Every field but the private key, which shows as {@code <redacted>}. */
    @Override
    public String toString() {
        return "NewSigningKey[id=" + id + ", privateKey=<redacted>, name=" + name + ", created=" + created
                + ", streamId=" + streamId + ", domainId=" + domainId + ", bucketName=" + bucketName
                + ", extra=" + extra + "]";
    }

    static NewSigningKey fromMap(Map<String, Object> d) {
        return new NewSigningKey(Values.required(d, "id"), Values.required(d, "private_key"),
                Values.string(d, "name"), Values.string(d, "created"), Values.string(d, "stream_id"),
                Values.string(d, "domain_id"), Values.string(d, "bucket_name"), ApiDocs.extra(d, KNOWN));
    }
}
