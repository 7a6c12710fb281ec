package com.qencode.cdn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a request asks for, to check against a token's {@code uri}: a live
 * stream (the {@code uri} must equal the playback id) or a storage object (the
 * {@code uri} must be a prefix of the key; {@code ""} covers the bucket).
 */
public sealed interface Resource permits Resource.Live, Resource.Storage {
    /** A live stream by playback id. */
    static Resource live(String playbackId) {
        return new Live(playbackId);
    }

    /** A storage object by key (decoded; a leading {@code /} is ignored). */
    static Resource storage(String key) {
        return new Storage(key);
    }

    /** {@code {"kind": "live", "playback_id": …}} or {@code {"kind": "storage", "key": …}}. */
    Map<String, Object> toMap();

    /** @param playbackId the stream's playback id */
    record Live(String playbackId) implements Resource {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "live");
            m.put("playback_id", playbackId);
            return m;
        }
    }

    /** @param key the object key */
    record Storage(String key) implements Resource {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "storage");
            m.put("key", key);
            return m;
        }
    }

    static Resource fromMap(Object o) {
        if (!(o instanceof Map<?, ?> m)) {
            return null;
        }
        Object kind = m.get("kind");
        if ("live".equals(kind) && m.get("playback_id") instanceof String id) {
            return new Live(id);
        }
        if ("storage".equals(kind) && m.get("key") instanceof String key) {
            return new Storage(key);
        }
        throw new DecodeException("unknown resource " + m + " in the library's answer");
    }
}
