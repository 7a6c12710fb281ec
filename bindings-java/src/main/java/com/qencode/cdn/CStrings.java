package com.qencode.cdn;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;

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
