package dev.seqpredict.testing;

import java.lang.management.ManagementFactory;

/** Bytes allocated on the current thread (HotSpot's per-thread allocation counter). */
public final class Allocations {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot count allocated bytes per thread");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
        // The first calls allocate megabytes (class loading, linking): pay that here, not in a measurement.
        for (int i = 0; i < 1000; i++) {
            current();
        }
    }

    private Allocations() {
    }

    /** Bytes allocated so far by the current thread. */
    public static long current() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
