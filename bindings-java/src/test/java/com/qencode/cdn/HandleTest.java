package com.qencode.cdn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The native handle rule: freed exactly once, never while a call uses it, by close() or by the Cleaner. */
class HandleTest {
    static final Pointer FAKE = new Pointer(0x1000);

    @Test
    void closeFreesOnceAndLaterCallsAreRefused() {
        AtomicInteger frees = new AtomicInteger();
        Handle h = new Handle(FAKE, p -> frees.incrementAndGet(), "Thing");
        h.acquire();
        h.run();
        h.run();
        assertEquals(0, frees.get(), "not freed while the call runs");
        assertTrue(h.isClosed());
        assertThrows(IllegalStateException.class, h::acquire);
        h.release();
        assertEquals(1, frees.get(), "freed when the last call returns");
        h.run();
        assertEquals(1, frees.get());
    }

    @Test
    void closeWithNoCallFreesAtOnce() {
        AtomicInteger frees = new AtomicInteger();
        Handle h = new Handle(FAKE, p -> frees.incrementAndGet(), "Thing");
        Pointer p = h.acquire();
        assertEquals(FAKE, p);
        h.release();
        h.run();
        assertEquals(1, frees.get());
    }

    @Test
    void theCleanerFreesAnUnreachableOwner() throws InterruptedException {
        AtomicInteger frees = new AtomicInteger();
        register(frees);
        for (int i = 0; i < 200 && frees.get() == 0; i++) {
            System.gc();
            Thread.sleep(25);
        }
        assertEquals(1, frees.get(), "the Cleaner freed the handle of an owner nobody closed");
    }

    private static void register(AtomicInteger frees) {
        Object owner = new Object();
        Handle.CLEANER.register(owner, new Handle(FAKE, p -> frees.incrementAndGet(), "Thing"));
    }
}
