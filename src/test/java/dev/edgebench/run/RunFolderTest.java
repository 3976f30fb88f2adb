package dev.edgebench.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 14 #1 and #2: run folders are created atomically, never shared, never reused; ids are names. */
class RunFolderTest {
    @Test
    void runsStartedTogetherGetTheirOwnFolders(@TempDir Path runs) throws Exception {
        int n = 16;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<RunFolder>> made = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                made.add(pool.submit(() -> {
                    go.await();
                    return RunFolder.create(runs, null, "quick");
                }));
            }
            go.countDown();
            Set<Path> dirs = new HashSet<>();
            for (Future<RunFolder> f : made) {
                dirs.add(f.get(30, TimeUnit.SECONDS).dir());
            }
            assertEquals(n, dirs.size(), "every run has a folder of its own");
            assertTrue(dirs.stream().allMatch(Files::isDirectory));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aGivenRunIdIsUsedOnce(@TempDir Path runs) throws Exception {
        RunFolder first = RunFolder.create(runs, "nightly-1", "quick");
        assertEquals("nightly-1", first.runId());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunFolder.create(runs, "nightly-1", "quick"));
        assertTrue(e.getMessage().contains("already exists: a run id is used once"), e.getMessage());
    }

    @Test
    void runIdsAreNamesNotPaths(@TempDir Path runs) {
        for (String bad : List.of("../../x", "a/b", "..", ".hidden", "", "x".repeat(200))) {
            assertThrows(IllegalArgumentException.class, () -> RunFolder.create(runs, bad, "quick"), bad);
        }
        assertTrue(Files.notExists(runs.getParent().resolve("x")));
    }

    @Test
    void concurrentWritersOfOneFileNeverShareATemporaryName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.json");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int k = i;
                fs.add(pool.submit(() -> {
                    RunFolder.writeJson(file, java.util.Map.of("writer", k));
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(RunFolder.json().readTree(file.toFile()).has("writer"));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void metricNamesAreUniqueAndUnitsNamed() {
        Set<String> names = new HashSet<>();
        for (Metric m : Metric.values()) {
            assertTrue(names.add(m.key()), m.key());
            assertEquals(m, Metric.named(m.key()).orElseThrow());
        }
        assertEquals("itl.p99.9", Metric.percentileName(Metric.ITL, 99.9));
        assertEquals("itl.max", Metric.percentileName(Metric.ITL, 100));
    }
}
