package dev.edgebench.profiling;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadCpuTest {
    // the shape of a /proc/<pid>/task/<tid>/stat line of a JVM compiler thread (the name holds a space)
    static final String STAT = "4242 (C2 CompilerThre) S 4200 4200 4100 34816 4200 1077952576 5000 0 0 0 731 42 0 0 20 0 31 0 "
            + "123456 4000000000 30000 18446744073709551615 1 1 0 0 0 0 4 0 16391 0 0 0 -1 1 0 0 0 0 0 0 0 0 0 0 0 0 0";

    @Test
    void readsNameCpuTimeAndLastCpu() {
        ThreadCpu t = ThreadCpu.parse(4242, STAT);
        assertEquals("C2 CompilerThre", t.name());
        assertEquals(731 + 42, t.cpuTicks());
        assertEquals(1, t.lastCpu());
        assertNull(ThreadCpu.parse(1, "garbage"));
        assertEquals(17, ThreadCpu.preempted("Name:\tjava\nvoluntary_ctxt_switches:\t250\nnonvoluntary_ctxt_switches:\t17\n"));
        assertEquals(-1, ThreadCpu.preempted("Name:\tjava\n"));
    }

    @Test
    void deltasAreMostFirstAndCountNewThreadsFromZero() {
        List<ThreadCpu> before = List.of(new ThreadCpu(1, "main", 100, 0, 5), new ThreadCpu(2, "java", 50, 1, 9),
                new ThreadCpu(3, "VM Thread", 7, 0, 0));
        List<ThreadCpu> after = List.of(new ThreadCpu(1, "main", 400, 0, 25), new ThreadCpu(2, "java", 345, 1, -1),
                new ThreadCpu(3, "VM Thread", 7, 0, 1), new ThreadCpu(4, "C2 CompilerThre", 12, 1, 3));
        List<ThreadCpu.Delta> d = ThreadCpu.between(before, after);
        assertEquals(List.of(new ThreadCpu.Delta(1, "main", 3000, 0, 20), new ThreadCpu.Delta(2, "java", 2950, 1, -1),
                new ThreadCpu.Delta(4, "C2 CompilerThre", 120, 1, 3)), d);
    }

    @Test
    void thisProcessHasThreads() {
        // Linux (the only platform the engine builds for) has /proc; elsewhere the snapshot is empty
        List<ThreadCpu> now = ThreadCpu.snapshot();
        assertTrue(now.isEmpty() || now.stream().anyMatch(t -> t.tid() > 0), now.toString());
    }
}
