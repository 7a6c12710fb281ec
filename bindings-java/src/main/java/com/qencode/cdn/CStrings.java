package com.qencode.cdn;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Java strings to and from the C library's NUL-terminated UTF-8. */
final class CStrings {
    private CStrings() {
    }

    /**
     * {@code s} as NUL-terminated UTF-8, {@code null} for {@code null} (the C
     * library then decides whether the value was optional). A string holding
     * NUL, or a lone UTF-16 surrogate, cannot be said in C and would otherwise be
     * cut short or replaced silently: it is an {@link InvalidArgumentException}.
     */
    static byte[] of(String s, String what) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new InvalidArgumentException(what + " contains a NUL character, which the library cannot take");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new InvalidArgumentException(what + " is not valid Unicode (a lone surrogate at index " + i + ")");
                }
            }
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, out, 0, utf8.length);
        return out;
    }

    /**
     * A secret ({@code char[]}: a PIN) as NUL-terminated UTF-8, with the rules
     * of {@link #of(String, String)}. Intermediate copies are wiped; the
     * caller wipes the result after the call.
     */
    static byte[] of(char[] s, String what) {
        for (int i = 0; i < s.length; i++) {
            char c = s[i];
            if (c == 0) {
                throw new InvalidArgumentException(what + " contains a NUL character, which the library cannot take");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length && Character.isLowSurrogate(s[i + 1])) {
                    i++;
                } else {
                    throw new InvalidArgumentException(what + " is not valid Unicode (a lone surrogate at index " + i + ")");
                }
            }
        }
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(s));
        byte[] out = new byte[utf8.remaining() + 1];
        utf8.get(out, 0, utf8.remaining());
        if (utf8.hasArray()) {
            Arrays.fill(utf8.array(), (byte) 0);
        }
        return out;
    }

    /** Reads the library string in {@code out} and frees it (also when reading fails). */
    static String take(PointerByReference out) {
        Pointer p = out.getValue();
        if (p == null) {
            throw new InternalException("the library returned success without a string");
        }
        try {
            return p.getString(0, "UTF-8");
        } finally {
            Lib.qcdn_string_free(p);
        }
    }

    /** Frees the library string in {@code out}, if any, without reading it. */
    static void free(PointerByReference out) {
        Pointer p = out.getValue();
        if (p != null) {
            Lib.qcdn_string_free(p);
        }
    }
}
