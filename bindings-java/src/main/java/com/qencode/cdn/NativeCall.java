package com.qencode.cdn;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** One call of a C function on a live native object, returning its status. */
@FunctionalInterface
interface NativeCall {
    int call(Pointer self, PointerByReference out);

    /** Runs {@code c} on {@code h}'s object and returns the string it wrote. */
    static String string(Handle h, NativeCall c) {
        Pointer p = h.acquire();
        try {
            PointerByReference out = new PointerByReference();
            Errors.check(c.call(p, out));
            return CStrings.take(out);
        } finally {
            h.release();
        }
    }

    /** Runs {@code c} on {@code h}'s object for its effect (no string wanted). */
    static void run(Handle h, NativeCall c) {
        Pointer p = h.acquire();
        try {
            Errors.check(c.call(p, null));
        } finally {
            h.release();
        }
    }
}
