package dev.edgebench.load;

import java.util.concurrent.locks.LockSupport;

/**
 * The driver's clock: the same monotonic clock the engine stamps its events with
 * ({@link System#nanoTime()}), and a way to wait for a short while without polling. Tests give the
 * driver a virtual clock shared with a virtual engine, so that scripted timings give exact figures.
 */
public interface LoadClock {
    /** The clock of {@link System#nanoTime()}, parking the thread to wait. */
    LoadClock SYSTEM = new LoadClock() {
        @Override
        public long nowNs() {
            return System.nanoTime();
        }

        @Override
        public void parkUntil(long deadlineNs) {
            long left;
            while ((left = deadlineNs - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
        }
    };

    /** @return now, ns */
    long nowNs();

    /** Returns at {@code deadlineNs} or later (used for waits shorter than one poll's millisecond). */
    void parkUntil(long deadlineNs);
}
