package com.qencode.cdn;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One native object ({@code qcdn_signer *}, {@code qcdn_verifier *},
 * {@code qcdn_client *}) and the rule that frees it exactly once and never
 * while a call is using it.
 *
 * <p>{@code state} counts the calls in progress; its sign bit says "closed".
 * A call {@link #acquire acquires} (refused once closed) and
 * {@link #release releases}; {@link #run closing} sets the bit, and whoever
 * sees the count reach zero with the bit set — the closer when no call runs,
 * else the last call to finish — frees the object. The owner registers this
 * with a {@link Cleaner} as the safety net for an owner that was never
 * closed: the action holds no reference to the owner.
 */
final class Handle implements Runnable {
    static final Cleaner CLEANER = Cleaner.create();

    private static final long CLOSED = Long.MIN_VALUE;

    private final AtomicLong state = new AtomicLong();
    private final Pointer ptr;
    private final Consumer<Pointer> free;
    private final String what;

    Handle(Pointer ptr, Consumer<Pointer> free, String what) {
        if (ptr == null) {
            throw new InternalException("the library returned success without a " + what);
        }
        this.ptr = ptr;
        this.free = free;
        this.what = what;
    }

    /** The native pointer, for one call; pair with {@link #release()} in a {@code finally}. */
    Pointer acquire() {
        for (;;) {
            long s = state.get();
            if (s < 0) {
                throw new IllegalStateException("this " + what + " is closed");
            }
            if (state.compareAndSet(s, s + 1)) {
                return ptr;
            }
        }
    }

    void release() {
        if (state.decrementAndGet() == CLOSED) {
            free.accept(ptr);
        }
    }

    boolean isClosed() {
        return state.get() < 0;
    }

    /** Closes: frees now, or when the last running call returns. Idempotent. */
    @Override
    public void run() {
        for (;;) {
            long s = state.get();
            if (s < 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    free.accept(ptr);
                }
                return;
            }
        }
    }
}
