package com.qencode.cdn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge of {@link ExternalSigner}s to {@code qcdn_signer_new_external}.
 *
 * <p>Lifetimes: the two JNA callbacks ({@link #SIGN}, {@link #FREE}) are
 * static, so their native trampolines live as long as this class — strongly
 * reachable for the whole life of every native signer, whoever frees it and
 * on whatever thread. The {@code user_data} the library holds is a number, the
 * key of the signer's {@link ExternalSigner} in {@link #LIVE}; that entry is
 * removed in {@code free_user_data}, which the library calls exactly once,
 * when the last native signer sharing the callback is freed (the external one
 * and every cached signer made from it). Until then the {@code ExternalSigner}
 * is strongly reachable from here, whatever the Java {@code Signer} objects
 * around it become.
 *
 * <p>Exceptions never cross into native code: {@link #SIGN} catches every
 * {@code Throwable}, writes its class and message into the library's error
 * buffer and returns non-zero; the {@code Throwable} is kept for this thread
 * ({@link #takeFailure}) and becomes the cause of the
 * {@link SignerFailedException} the signing call throws. The callback runs
 * inline ({@code timeout_ms} 0) on the thread that signs, so that failure is
 * that call's.
 */
final class External {
    /** The error buffer holds at most this many characters of a failure's description (as in Python and Node). */
    static final int MESSAGE_CHARS = 500;

    private static final AtomicLong IDS = new AtomicLong();
    private static final Map<Long, ExternalSigner> LIVE = new ConcurrentHashMap<>();
    private static final ThreadLocal<Throwable> FAILURE = new ThreadLocal<>();

    /** {@code qcdn_sign_callback}. */
    interface SignCallback extends Callback {
        int invoke(Pointer userData, Pointer input, long inputLen, Pointer sig, long sigCap, Pointer sigLen,
                   Pointer error, long errorCap);
    }

    /** {@code void (*free_user_data)(void *)}. */
    interface FreeCallback extends Callback {
        void invoke(Pointer userData);
    }

    static final SignCallback SIGN = External::sign;
    static final FreeCallback FREE = External::free;

    private External() {
    }

    /** Registers {@code signer}; the returned id is the {@code user_data} to give the library. */
    static long register(ExternalSigner signer) {
        long id = IDS.incrementAndGet();
        LIVE.put(id, signer);
        return id;
    }

    /** Drops a registration the library never took ({@code qcdn_signer_new_external} failed). */
    static void unregister(long id) {
        LIVE.remove(id);
    }

    /** How many external signers the library still holds (tests). */
    static int live() {
        return LIVE.size();
    }

    /** The exception the last failed callback on this thread threw, if any, and forgets it. */
    static Throwable takeFailure() {
        Throwable t = FAILURE.get();
        if (t != null) {
            FAILURE.remove();
        }
        return t;
    }

    private static int sign(Pointer userData, Pointer input, long inputLen, Pointer sig, long sigCap, Pointer sigLen,
                            Pointer error, long errorCap) {
        try {
            ExternalSigner signer = LIVE.get(Pointer.nativeValue(userData));
            if (signer == null) {
                return fail(error, errorCap, "the ExternalSigner was already released (a bug: please report it)", null);
            }
            byte[] signature = signer.sign(input.getByteArray(0, Math.toIntExact(inputLen)));
            if (signature == null) {
                return fail(error, errorCap, "ExternalSigner.sign returned null instead of a signature", null);
            }
            if (signature.length <= sigCap) {
                sig.write(0, signature, 0, signature.length);
            }
            // (more than sigCap: nothing written; the library reports the length and reads nothing)
            sigLen.setLong(0, signature.length);
            return 0;
        } catch (Throwable t) {
            return fail(error, errorCap, null, t);
        }
    }

    /** Writes the failure's message ({@code message}, else a description of {@code cause}) and returns 1. */
    private static int fail(Pointer error, long errorCap, String message, Throwable cause) {
        try {
            if (cause != null) {
                FAILURE.set(cause);
            }
            writeMessage(error, errorCap, message != null ? message : "ExternalSigner.sign threw " + describe(cause));
        } catch (Throwable ignored) {
            // Nothing may escape into native code; the library then reports the status alone.
        }
        return 1;
    }

    /** {@code t.toString()} (its class and message), or its class alone when {@code toString()} itself fails. */
    static String describe(Throwable t) {
        try {
            return String.valueOf(t);
        } catch (Throwable e) {
            return t.getClass().getName();
        }
    }

    /** {@code message} (cut at {@link #MESSAGE_CHARS}) as NUL-terminated UTF-8 in at most {@code cap} bytes. */
    static void writeMessage(Pointer error, long cap, String message) {
        if (error == null || cap <= 0) {
            return;
        }
        String m = message.length() > MESSAGE_CHARS ? message.substring(0, MESSAGE_CHARS) + "…" : message;
        byte[] utf8 = utf8Prefix(m, (int) Math.min(cap - 1, Integer.MAX_VALUE - 1));
        error.write(0, utf8, 0, utf8.length);
        error.setByte(utf8.length, (byte) 0);
    }

    /** The UTF-8 of {@code s} cut at a character boundary to at most {@code max} bytes; NUL and lone surrogates replaced. */
    static byte[] utf8Prefix(String s, int max) {
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith(new byte[] {'?'});
        ByteBuffer out = ByteBuffer.allocate(Math.max(0, max));
        enc.encode(CharBuffer.wrap(s.replace('\0', '?')), out, true);
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return b;
    }

    private static void free(Pointer userData) {
        try {
            ExternalSigner signer = LIVE.remove(Pointer.nativeValue(userData));
            if (signer != null) {
                signer.released();
            }
        } catch (Throwable ignored) {
            // released() failed: documented as dropped; nothing may escape into native code.
        }
    }
}
