package com.qencode.cdn.tests;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Files of the repository, JSON as the package returns it, and the process environment. */
final class TestSupport {
    /** The repository root (set by the Maven build; tests never read ../shared). */
    static final Path ROOT = Path.of(System.getProperty("qcdn.root", "..")).toAbsolutePath().normalize();

    private TestSupport() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String text(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JSON to the same Java values the package returns: Map, List, Long (BigInteger), Double, String, Boolean, null. */
    static Object parse(String json) {
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            Object v = read(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("trailing data");
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String json) {
        return (Map<String, Object>) parse(json);
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
                return m;
            }
            case BEGIN_ARRAY: {
                List<Object> l = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) {
                    l.add(read(r));
                }
                r.endArray();
                return l;
            }
            case STRING:
                return r.nextString();
            case NUMBER: {
                String s = r.nextString();
                if (s.contains(".") || s.contains("e") || s.contains("E")) {
                    return Double.parseDouble(s);
                }
                try {
                    return Long.parseLong(s);
                } catch (NumberFormatException e) {
                    return new BigInteger(s);
                }
            }
            case BOOLEAN:
                return r.nextBoolean();
            case NULL:
                r.nextNull();
                return null;
            default:
                throw new IOException("unexpected " + r.peek());
        }
    }

    /**
     * Sets ({@code value} non-null) or removes a variable of this process's
     * real environment, the one the C library reads. Java has no API for it
     * (System.getenv is a snapshot), so the test calls libc directly. Only
     * for tests that run while no other thread reads the environment.
     */
    static void setEnv(String name, String value) {
        NativeLibrary c = NativeLibrary.getInstance("c");
        int rc;
        if (value == null) {
            Function unsetenv = c.getFunction("unsetenv");
            rc = unsetenv.invokeInt(new Object[] {name});
        } else {
            Function setenv = c.getFunction("setenv");
            rc = setenv.invokeInt(new Object[] {name, value, 1});
        }
        if (rc != 0) {
            throw new IllegalStateException("setenv/unsetenv " + name + " failed");
        }
    }

    /** The variable as the C library sees it (libc getenv), or null. */
    static String getEnv(String name) {
        Function getenv = NativeLibrary.getInstance("c").getFunction("getenv");
        com.sun.jna.Pointer p = (com.sun.jna.Pointer) getenv.invoke(com.sun.jna.Pointer.class, new Object[] {name});
        return p == null ? null : p.getString(0, "UTF-8");
    }
}
