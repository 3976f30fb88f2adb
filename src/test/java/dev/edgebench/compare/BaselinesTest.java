package dev.edgebench.compare;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Baselines: platform names, the stored folder, atomic replacement and its repair, refusal of incomplete runs. */
class BaselinesTest {
    @TempDir
    Path tmp;

    static com.fasterxml.jackson.databind.JsonNode tree(Object o) {
        return dev.edgebench.run.RunFolder.json().valueToTree(o);
    }

    @Test
    void platformNames() {
        assertEquals("x86_64-cpu-avx2", Baselines.platform(tree(Map.of("environment", Map.of("host", Map.of("arch", "amd64")),
                "engine", Map.of("build", Map.of("profile", "cpu", "cpuIsa", "avx2"))))));
        assertEquals("aarch64-cpu-armv8.2", Baselines.platform(tree(Map.of("environment", Map.of("host", Map.of("arch", "aarch64")),
                "engine", Map.of("build", Map.of("profile", "cpu", "cpuIsa", "armv8.2"))))));
        assertEquals("h100-cuda", Baselines.platform(tree(Map.of("environment", Map.of("host", Map.of("arch", "amd64"),
                        "gpus", List.of(Map.of("name", "NVIDIA H100 80GB HBM3", "driver", "580"))),
                "engine", Map.of("build", Map.of("profile", "cuda", "cuda", Map.of("enabled", true)))))));
        assertEquals("jetson-orin", Baselines.platform(tree(Map.of("environment", Map.of("host", Map.of("arch", "aarch64"),
                        "gpus", List.of(Map.of("name", "Orin (nvgpu)", "driver", "540"))),
                "engine", Map.of("build", Map.of("profile", "jetson-orin"))))));
        assertEquals("rtx4090", Baselines.gpuShortName("NVIDIA GeForce RTX 4090"));
        assertEquals("l40s", Baselines.gpuShortName("NVIDIA L40S"));
    }

    @Test
    void updateStoresRunHlogsAndEnvironmentThenReplacesAtomically() throws Exception {
        Path run1 = Fixtures.run(tmp.resolve("runs/r1"), "r1", 1, Fixtures.bench());
        Files.writeString(run1.resolve("summary.md"), "# r1\n");
        Path root = tmp.resolve("baselines");
        Path b = Baselines.update(run1, root, null, false, "0123456789abcdef0123456789abcdef01234567");
        assertEquals(root.resolve("x86_64-cpu-avx2"), b);
        assertTrue(Files.isRegularFile(b.resolve("run.json")));
        assertTrue(Files.isRegularFile(b.resolve("summary.md")));
        try (var s = Files.list(b.resolve("hlog"))) {
            assertEquals(1, s.count());
        }
        Map<String, Object> meta = dev.edgebench.run.RunFolder.json().readValue(b.resolve("baseline.json").toFile(), Map.class);
        assertEquals(Baselines.SCHEMA, meta.get("schema"));
        assertEquals("r1", meta.get("sourceRunId"));
        assertTrue(meta.get("environment") instanceof Map<?, ?>);
        assertTrue(meta.get("engine") instanceof Map<?, ?>);
        ResultSet stored = ResultLoader.load(b);
        assertFalse(stored.benchmarks().values().iterator().next().latency().isEmpty(), "the copied hlog is found from the baseline");

        Path run2 = Fixtures.run(tmp.resolve("runs/r2"), "r2", 2, Fixtures.bench());
        Baselines.update(run2, root, null, false, null);
        assertEquals("r2", ResultLoader.load(b).label());
        try (var s = Files.list(root)) {
            assertEquals(List.of("x86_64-cpu-avx2"), s.map(p -> p.getFileName().toString()).toList(), "no temporary folder left");
        }
        assertEquals(List.of("x86_64-cpu-avx2"), Baselines.platforms(root));
        Path named = Baselines.update(run2, root, "Lab Box #1", false, null);
        assertEquals(root.resolve("lab-box-1"), named);
    }

    @Test
    void anUpdateInterruptedBetweenItsRenamesIsRepaired() throws Exception {
        Path root = tmp.resolve("baselines");
        Path run1 = Fixtures.run(tmp.resolve("runs/r1"), "r1", 1, Fixtures.bench());
        Path b = Baselines.update(run1, root, null, false, null);
        Files.move(b, root.resolve(".x86_64-cpu-avx2.old-123"));
        Baselines.recover(root, "x86_64-cpu-avx2");
        assertEquals("r1", ResultLoader.load(b).label());
    }

    @Test
    void refusesIncompleteRunsUnlessForced() throws Exception {
        Path run = Fixtures.run(tmp.resolve("runs/p"), "p", 1, Fixtures.bench(), Fixtures.bench().batch(4).status("failed"));
        Path root = tmp.resolve("baselines");
        BadInputException e = assertThrows(BadInputException.class, () -> Baselines.update(run, root, null, false, null));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertTrue(Files.isDirectory(Baselines.update(run, root, null, true, null)));
    }

    @Test
    void compareAgainstAStoredBaseline() throws Exception {
        Path root = tmp.resolve("baselines");
        Path b = Baselines.update(Fixtures.run(tmp.resolve("runs/r1"), "r1", 1, Fixtures.bench()), root, null, false, null);
        Path cur = Fixtures.run(tmp.resolve("runs/r2"), "r2", 2, Fixtures.bench().mean(15));
        Comparison c = Comparer.compare(ResultLoader.load(b), ResultLoader.load(cur), CompareConfig.defaults().suite("ci"), 2000, 1);
        assertEquals(Comparison.EXIT_REGRESSION, c.exitCode());
        assertFalse(c.latencies().isEmpty());
    }

    /** Several runs of one build pool into one baseline that records their run-to-run noise; compare widens by it. */
    @Test
    @SuppressWarnings("unchecked")
    void pooledRunsRecordRunToRunNoise() throws Exception {
        Path root = tmp.resolve("baselines");
        List<Path> runs = List.of(Fixtures.run(tmp.resolve("runs/r1"), "r1", 1, Fixtures.bench().mean(20)),
                Fixtures.run(tmp.resolve("runs/r2"), "r2", 2, Fixtures.bench().mean(22)),
                Fixtures.run(tmp.resolve("runs/r3"), "r3", 3, Fixtures.bench().mean(18)));
        Path b = Baselines.update(runs, root, null, false, null);
        Map<String, Object> meta = dev.edgebench.run.RunFolder.json().readValue(b.resolve("baseline.json").toFile(), Map.class);
        assertEquals(3, meta.get("runs"));
        Map<String, Map<String, Double>> cv = (Map<String, Map<String, Double>>) meta.get("runToRunCv");
        double decode = cv.get(Fixtures.bench().id()).get("decode.tok_s");
        assertTrue(decode > 0.07 && decode < 0.13, "CV of the run means 20, 22, 18: " + decode);
        assertTrue(cv.get(Fixtures.bench().id()).containsKey("latency.itl.p99"));
        ResultSet pooled = ResultLoader.load(b);
        assertEquals(3, pooled.runs());
        ResultSet.Metric m = pooled.benchmarks().get(Fixtures.bench().id()).metrics().get("decode.tok_s");
        assertEquals(48, m.values().length);
        assertEquals(6, m.byFork().length, "each run's forks stay apart");
        assertEquals(3 * 16, pooled.benchmarks().get(Fixtures.bench().id()).latency().get("itl").size());

        Path cur = Fixtures.run(tmp.resolve("runs/c"), "c", 4, Fixtures.bench().mean(17));
        CompareConfig.Suite s = CompareConfig.defaults().suite("ci");
        Comparison withNoise = Comparer.compare(pooled, ResultLoader.load(cur), s, 4000, 1);
        assertEquals(Verdict.INCONCLUSIVE, withNoise.metrics().get(0).verdict(), () -> MarkdownReport.render(withNoise));
        assertTrue(MarkdownReport.render(withNoise).contains("folded in (baseline of 3 runs)"));
        Comparison without = Comparer.compare(pooled, ResultLoader.load(cur), s, 4000, 1, 0.0, false);
        assertEquals(Verdict.SLOWER, without.metrics().get(0).verdict());
    }

    @Test
    void runsOfDifferentBuildsDoNotPool() throws Exception {
        Path a = Fixtures.run(tmp.resolve("runs/a"), "a", 1, Fixtures.bench());
        Path b = Fixtures.run(tmp.resolve("runs/b"), "b", 2, Map.of("engine.build.cpuIsa", "avx512"), Fixtures.bench());
        BadInputException e = assertThrows(BadInputException.class, () -> Baselines.update(List.of(a, b), tmp.resolve("bl"), null, false, null));
        assertTrue(e.getMessage().contains("engine CPU instruction set"), e.getMessage());
    }
}
