package dev.edgebench.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link Settle}: when a sample waits for the rest of edgebench, and that it waits while another thread runs. */
class SettleTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void onlyAnEngineThatFillsEveryCoreOfTheCpuWaits() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux /proc");
        assertTrue(Settle.needed(0, CORES));
        assertTrue(Settle.needed(0, CORES + 2));
        assertFalse(Settle.needed(0, CORES - 1), "a free core takes the other threads' work");
        assertFalse(Settle.needed(-1, CORES), "every layer on a GPU");
        assertFalse(Settle.needed(8, CORES), "some layers on a GPU");
    }

    @Test
    void theSwitchTakesTrueOrFalseOnly() {
        String before = System.getProperty(Settle.PROPERTY);
        try {
            System.setProperty(Settle.PROPERTY, "false");
            assertFalse(Settle.needed(0, CORES));
            System.setProperty(Settle.PROPERTY, "sometimes");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settle.needed(0, CORES));
            assertTrue(e.getMessage().contains(Settle.PROPERTY) && e.getMessage().contains("sometimes"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(Settle.PROPERTY);
            } else {
                System.setProperty(Settle.PROPERTY, before);
            }
        }
    }

    @Test
    void itWaitsWhileAnotherThreadRunsAndGivesUpAtItsLimit() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/thread-self")), "Linux /proc");
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(1);
        Thread spinner = new Thread(() -> {
            running.countDown();
            long x = 0;
            while (!stop.get()) {
                x += System.nanoTime() & 1;
            }
            assertTrue(x >= 0);
        }, "settle-test-spinner");
        spinner.start();
        try {
            running.await();
            Settle.takeLastWaitMs();
            long waited = Settle.waitForQuiet();
            assertEquals(waited, Settle.takeLastWaitMs(), "the profiler reports the wait");
            assertEquals(-1, Settle.takeLastWaitMs(), "once");
            // the spinner never stops on its own: the wait ends at its limit, not after the 15 ms a quiet process needs
            assertTrue(waited >= Settle.MAX_WAIT_MS, "waited " + waited + " ms while another thread ran");
        } finally {
            stop.set(true);
            spinner.join();
        }
        assertEquals(Thread.State.TERMINATED, spinner.getState());
    }
}
