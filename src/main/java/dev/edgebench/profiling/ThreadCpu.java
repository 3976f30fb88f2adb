package dev.edgebench.profiling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of every thread of this process (Java threads, the JVM's own, and native threads such
 * as the engine's OpenMP workers), read from Linux's {@code /proc/self/task/<tid>/stat}: which
 * threads ran during a stretch of work, and on which CPU each ran last. On a machine with as many
 * compute threads as cores, any other thread that runs takes a core from the engine, and a
 * barrier makes the others wait for it.
 *
 * @param tid       the kernel thread id
 * @param name      the thread's name as the kernel has it (15 characters at most)
 * @param cpuTicks  user + system time, in clock ticks ({@link #TICKS_PER_SECOND})
 * @param lastCpu   the CPU the thread ran on last
 * @param preempted times the scheduler took the CPU from the thread while it could still run
 *                  ({@code nonvoluntary_ctxt_switches} of its {@code status}; -1 when unknown)
 */
public record ThreadCpu(int tid, String name, long cpuTicks, int lastCpu, long preempted) {
    /** Linux's USER_HZ on every architecture this project builds for. */
    public static final int TICKS_PER_SECOND = 100;

    /** @return every thread of this process now; empty where there is no {@code /proc} (not Linux) */
    public static List<ThreadCpu> snapshot() {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return List.of();
        }
        List<ThreadCpu> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(tasks)) {
            for (Path t : s.toList()) {
                try {
                    ThreadCpu c = parse(Integer.parseInt(t.getFileName().toString()), Files.readString(t.resolve("stat")));
                    if (c != null) {
                        out.add(c.withPreempted(preempted(Files.readString(t.resolve("status")))));
                    }
                } catch (IOException | NumberFormatException e) {
                    // the thread ended between the listing and the read: it is not part of the snapshot
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    /** Parses one {@code stat} line ({@code proc(5)}): the name is in parentheses and may hold spaces. */
    static ThreadCpu parse(int tid, String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            return null;
        }
        String[] f = stat.substring(close + 2).trim().split("\\s+");
        // after the name: field 3 (state) is f[0]; utime 14, stime 15, processor 39
        if (f.length < 37) {
            return null;
        }
        return new ThreadCpu(tid, stat.substring(open + 1, close), Long.parseLong(f[11]) + Long.parseLong(f[12]), Integer.parseInt(f[36]),
                -1);
    }

    /** @return {@code nonvoluntary_ctxt_switches} from a {@code status} file's text, or -1 */
    static long preempted(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return -1;
    }

    private ThreadCpu withPreempted(long n) {
        return new ThreadCpu(tid, name, cpuTicks, lastCpu, n);
    }

    /** One thread's CPU time and preemptions between two snapshots (preemptions -1 when unknown). */
    public record Delta(int tid, String name, long cpuMs, int lastCpu, long preempted) {
    }

    /** @return threads that used CPU between {@code before} and {@code after}, most first (threads born in between count from 0) */
    public static List<Delta> between(List<ThreadCpu> before, List<ThreadCpu> after) {
        Map<Integer, ThreadCpu> start = new HashMap<>();
        before.forEach(t -> start.put(t.tid(), t));
        List<Delta> out = new ArrayList<>();
        for (ThreadCpu t : after) {
            ThreadCpu b = start.get(t.tid());
            long d = t.cpuTicks() - (b == null ? 0 : b.cpuTicks());
            if (d > 0) {
                long p = t.preempted() < 0 || b != null && b.preempted() < 0 ? -1 : t.preempted() - (b == null ? 0 : b.preempted());
                out.add(new Delta(t.tid(), t.name(), d * 1000 / TICKS_PER_SECOND, t.lastCpu(), p));
            }
        }
        out.sort(Comparator.comparingLong(Delta::cpuMs).reversed());
        return out;
    }
}
