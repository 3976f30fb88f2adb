package dev.edgebench.bench;

import dev.edgebench.run.ForkProperties;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Waits, untimed, before a sample of an engine whose CPU threads fill every core, until nothing
 * else of edgebench runs: neither this fork's other threads (JIT compilers, GC) nor the JVM that
 * started it. Between two JMH iterations the fork ships the sample's results to that JVM, which
 * reads and prints them, and both compile the code that did so; that work ran on into the next
 * sample. ggml's CPU threads meet at a barrier in every operation, so a core taken from one of
 * them stops all: on a 2-core machine, 2 threads, about 12 ms of such work per 10 s of prefill
 * (Linux's per-thread CPU time of both JVMs, 10 s of measured samples) made edgebench's prefill
 * some 2% slower than llama-bench's, which runs nothing beside its repetitions.
 *
 * <p>Reads each thread's time on a CPU from {@code /proc/<pid>/task/<tid>/schedstat} (ns), for this
 * process and its parent, every {@value #POLL_MS} ms; the calling thread and the threads named as
 * it is (the engine's own workers, which start with its name) do not count. Quiet: under
 * {@value #BUSY_NS} ns of others' CPU in each of {@value #QUIET_POLLS} polls in a row; gives up
 * after {@value #MAX_WAIT_MS} ms. Without {@code /proc} (not Linux) it does nothing.
 * {@value #PROPERTY}{@code =false} switches it off for an A/B.
 */
final class Settle {
    static final String PROPERTY = ForkProperties.SETTLE_PROPERTY;
    static final long POLL_MS = 5;
    static final long BUSY_NS = 250_000;
    static final int QUIET_POLLS = 3;
    static final long MAX_WAIT_MS = 300;

    /** The last wait in ms, until the profiler takes it; -1 when none is waiting to be reported. */
    private static volatile long lastWaitMs = -1;

    private Settle() {
    }

    /** @return the wait before the sample just run (ms), once; -1 when there was none */
    static long takeLastWaitMs() {
        long w = lastWaitMs;
        lastWaitMs = -1;
        return w;
    }

    /** @return whether a run on {@code threads} CPU threads with {@code gpuLayers} on a GPU needs to settle */
    static boolean needed(int gpuLayers, int threads) {
        return ForkProperties.flag(PROPERTY, true) && gpuLayers == 0 && threads >= Runtime.getRuntime().availableProcessors()
                && Files.isDirectory(Path.of("/proc/self/task"));
    }

    /** Waits until the others are quiet; @return the ms waited */
    static long waitForQuiet() {
        long t0 = System.nanoTime();
        String self = "/proc/self/task/" + currentTid();
        String name = read(self + "/comm").strip();
        List<Path> dirs = taskDirs();
        long last = othersNs(dirs, self, name);
        int quiet = 0;
        while (quiet < QUIET_POLLS && System.nanoTime() - t0 < MAX_WAIT_MS * 1_000_000L) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = othersNs(dirs, self, name);
            quiet = now - last < BUSY_NS ? quiet + 1 : 0;
            last = now;
        }
        lastWaitMs = (System.nanoTime() - t0) / 1_000_000L;
        return lastWaitMs;
    }

    private static List<Path> taskDirs() {
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        return parent > 0 ? List.of(Path.of("/proc/self/task"), Path.of("/proc/" + parent + "/task")) : List.of(Path.of("/proc/self/task"));
    }

    /** CPU time of every thread but the caller and its namesakes, ns (threads that end between reads drop out) */
    private static long othersNs(List<Path> dirs, String self, String name) {
        long sum = 0;
        String selfTid = self.substring(self.lastIndexOf('/') + 1);
        for (Path dir : dirs) {
            try (Stream<Path> tasks = Files.list(dir)) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    boolean mine = dir.startsWith("/proc/self");
                    if (mine && (t.getFileName().toString().equals(selfTid) || read(t + "/comm").strip().equals(name))) {
                        continue;
                    }
                    String s = read(t + "/schedstat");
                    int sp = s.indexOf(' ');
                    if (sp > 0) {
                        sum += Long.parseLong(s.substring(0, sp));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a folder that went away (the parent ended) or an unreadable file: count what was read
            }
        }
        return sum;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }

    private static long currentTid() {
        // the kernel's id of this thread: /proc/thread-self names it
        try {
            return Long.parseLong(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
