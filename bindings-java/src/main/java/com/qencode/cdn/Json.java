package com.qencode.cdn;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON between Java values and the C library, through Gson's streaming
 * reader and writer (no reflection).
 *
 * <p>Read: objects become unmodifiable {@code Map<String, Object>} (member
 * order kept), arrays unmodifiable {@code List<Object>}, whole numbers
 * {@code Long} ({@code BigInteger} beyond), other numbers {@code Double},
 * then {@code String}, {@code Boolean} and {@code null}.
 *
 * <p>Written: {@code null}, {@code String}, {@code Boolean}, finite
 * {@code Number}s, {@code Map}s with string keys, {@code Iterable}s and
 * arrays, and {@code Instant} as Unix seconds (rounded down, as every time
 * in a token). Anything else is an {@link InvalidArgumentTypeException}.
 */
final class Json {
    private Json() {
    }

    static Object parse(String text) {
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            Object v = read(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new DecodeException("trailing data after a JSON document from the library");
            }
            return v;
        } catch (IOException | IllegalStateException e) {
            throw new DecodeException("the library returned JSON that cannot be read: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new DecodeException("the library returned JSON that is not an object");
        }
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Object> parseArray(String text) {
        Object v = parse(text);
        if (!(v instanceof List)) {
            throw new DecodeException("the library returned JSON that is not an array");
        }
        return (List<Object>) v;
    }

    private static Object read(JsonReader r) throws IOException {
        switch (r.peek()) {
            case BEGIN_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) {
                    String k = r.nextName();
                    m.put(k, read(r));
                }
                r.endObject();
                return Collections.unmodifiableMap(m);
            }
            case BEGIN_ARRAY: {
                List<Object> l = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) {
                    l.add(read(r));
                }
                r.endArray();
                return Collections.unmodifiableList(l);
            }
            case STRING:
                return r.nextString();
            case NUMBER:
                return number(r.nextString());
            case BOOLEAN:
                return r.nextBoolean();
            case NULL:
                r.nextNull();
                return null;
            default:
                throw new IOException("unexpected " + r.peek());
        }
    }

    private static Object number(String s) {
        if (s.indexOf('.') >= 0 || s.indexOf('e') >= 0 || s.indexOf('E') >= 0) {
            return Double.parseDouble(s);
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return new BigInteger(s);
        }
    }

    /** {@code value} as JSON text; {@code what} names it in an error. */
    static String write(Object value, String what) {
        StringWriter out = new StringWriter();
        try (JsonWriter w = new JsonWriter(out)) {
            w.setHtmlSafe(false);
            w.setSerializeNulls(true);
            write(w, value, what);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonWriter w, Object v, String what) throws IOException {
        if (v == null) {
            w.nullValue();
        } else if (v instanceof String s) {
            w.value(s);
        } else if (v instanceof Boolean b) {
            w.value(b.booleanValue());
        } else if (v instanceof Number n) {
            try {
                w.value(n);
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException(what + ": " + n + " is not a JSON number (JSON has no NaN or infinity)");
            }
        } else if (v instanceof Instant t) {
            w.value(t.getEpochSecond());
        } else if (v instanceof Map<?, ?> m) {
            w.beginObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new InvalidArgumentTypeException(what + ": the keys of a JSON object are strings, got "
                            + (e.getKey() == null ? "null" : "a " + e.getKey().getClass().getName()));
                }
                w.name(k);
                write(w, e.getValue(), what + "." + k);
            }
            w.endObject();
        } else if (v instanceof Iterable<?> it) {
            w.beginArray();
            for (Object o : it) {
                write(w, o, what + "[]");
            }
            w.endArray();
        } else if (v.getClass().isArray()) {
            w.beginArray();
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                write(w, Array.get(v, i), what + "[" + i + "]");
            }
            w.endArray();
        } else {
            throw new InvalidArgumentTypeException(what + ": a " + v.getClass().getName()
                    + " is not a JSON value (use String, Number, Boolean, Map, List, an array, Instant or null)");
        }
    }
}
