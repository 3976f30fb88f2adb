package dev.edgebench.history;

import dev.edgebench.compare.Fixtures;
import dev.edgebench.compare.ResultLoader;
import dev.edgebench.compare.ResultSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The history store, the same tests on SQLite and on a real PostgreSQL server: ingest of a real
 * run (environment, per-sample values, telemetry), of latency logs and JMH kernel files,
 * idempotence, conflicts, a newer schema, gaps, and change points found through the database.
 */
class HistoryStoreTest {
    static final Path REFERENCE = Path.of(System.getProperty("edgebench.project.dir", "."))
            .resolve("results/reference/nvidia-h100-80gb-hbm3/quick-Qwen3-0_6B_Q4_0");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.edgebench.history.TestDatabases#both")
    void storesARealRunWithItsEnvironmentAndEverySample(TestDatabases.Db db) throws Exception {
        ResultSet rs = ResultLoader.load(REFERENCE);
        try (HistoryStore h = HistoryStore.open(db.fresh(tmp))) {
            assertEquals(0, h.versionFound(), "a new database");
            HistoryStore.Ingested in = h.ingest(rs, new IngestOptions(null, null, "0123456789abcdef", null, null));
            assertTrue(in.stored());
            RunInfo r = h.queries().run("quick-Qwen3-0_6B_Q4_0");
            assertNotNull(r);
            assertEquals("NVIDIA H100 80GB HBM3", r.device());
            assertEquals("580.159.04", r.driver());
            assertEquals("preset=quick", r.configuration());
            assertEquals("cuda", r.engineProfile());
            assertTrue(r.engineCommit().startsWith("de3ff815"), r.engineCommit());
            assertTrue(r.buildManifest().contains("sourceSha256"), "the build manifest is kept");
            assertTrue(r.environment().contains("Intel(R) Xeon(R) Processor"), "the environment is kept");
            assertEquals("0123456789ab", r.label());
            assertEquals(Instant.parse("2026-11-22T07:38:06.383681Z"), r.startedAt(), "microseconds kept");

            List<Series> all = h.queries().series(new HistoryQueries.Filter(null, "all", null, null));
            long metrics = rs.benchmarks().values().stream().mapToLong(b -> b.metrics().size()).sum();
            assertEquals(metrics, all.size(), "one series per benchmark and metric");
            ResultSet.Bench b = rs.benchmarks().values().iterator().next();
            Series s = all.stream().filter(x -> x.key().benchmark().equals(b.id()) && x.key().metric().equals(b.primary())).findFirst()
                    .orElseThrow();
            assertArrayEquals(b.metrics().get(b.primary()).values(), s.points().getFirst().values(), 0.0, "every sample, in order");
            assertTrue(s.primary());
            Map<String, String> telemetry = h.queries().telemetry(r.runId());
            assertTrue(telemetry.get(b.id()).contains("nvml"), "the telemetry summary is kept: " + telemetry);
            assertFalse(h.queries().metrics(r.runId()).isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.edgebench.history.TestDatabases#both")
    void ingestIsIdempotentAndRefusesASecondVersionOfARun(TestDatabases.Db db) throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "run-a", 1, Fixtures.bench(), Fixtures.bench().kind("prefill").mean(120));
        HistoryLocation loc = db.fresh(tmp);
        try (HistoryStore h = HistoryStore.open(loc)) {
            assertTrue(h.ingest(ResultLoader.load(a), IngestOptions.NONE).stored());
            List<HistoryQueries.Latency> lat = h.queries().latency("run-a");
            assertEquals(2, lat.size(), "each benchmark's itl log: " + lat);
            assertTrue(lat.stream().allMatch(l -> l.tag().equals("itl")), lat::toString);
            assertEquals(16 * 64, lat.getFirst().count(), "every decode step of 16 iterations");
            assertTrue(lat.getFirst().p99Us() > lat.getFirst().p50Us());
        }
        try (HistoryStore h = HistoryStore.open(loc)) {
            assertEquals(Schema.CURRENT, h.versionFound(), "reopened, not migrated again");
            HistoryStore.Ingested again = h.ingest(ResultLoader.load(a), IngestOptions.NONE);
            assertFalse(again.stored(), "the same run twice is stored once");
            assertEquals(1, h.queries().runs(HistoryQueries.Filter.ALL_PRIMARY).size());
            assertEquals(16, h.queries().series(HistoryQueries.Filter.ALL_PRIMARY).getFirst().points().getFirst().values().length);

            Path other = Fixtures.run(tmp.resolve("b"), "run-a", 2, Fixtures.bench());
            HistoryException e = assertThrows(HistoryException.class, () -> h.ingest(ResultLoader.load(other), IngestOptions.NONE));
            assertEquals(HistoryException.Kind.CONFLICT, e.kind());
            assertTrue(e.getMessage().contains("run run-a is already in the history with other content"), e.getMessage());
            assertEquals(1, h.queries().runs(HistoryQueries.Filter.ALL_PRIMARY).size(), "nothing of the refused run was stored");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.edgebench.history.TestDatabases#both")
    void aDatabaseOfANewerSchemaIsRefusedUntouched(TestDatabases.Db db) throws Exception {
        HistoryLocation loc = db.fresh(tmp);
        try (HistoryStore h = HistoryStore.open(loc)) {
            h.execute("INSERT INTO schema_version (version, description, applied_at) VALUES (" + (Schema.CURRENT + 1)
                    + ", 'from the future', '2027-01-01T00:00:00.000000Z')");
        }
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(loc));
        assertEquals(HistoryException.Kind.NEWER_SCHEMA, e.kind());
        assertTrue(e.getMessage().contains("has schema version " + (Schema.CURRENT + 1) + ", written by a newer edgebench; this one knows"
                + " versions up to " + Schema.CURRENT), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.edgebench.history.TestDatabases#both")
    void plantedKernelChangeIsFoundThroughTheDatabase(TestDatabases.Db db) throws Exception {
        KernelHistory kh = new KernelHistory(KernelHistory.PLANTED_DRAWS);
        try (HistoryStore h = HistoryStore.open(db.fresh(tmp))) {
            List<Path> files = new java.util.ArrayList<>();
            for (int r = 1; r <= 40; r++) {
                files.add(kh.write(tmp.resolve("runs"), r, 11, KernelHistory.PLANTED_OP, 25, 1.05));
            }
            long t0 = System.nanoTime();
            for (int r = 1; r <= 40; r++) {
                h.ingest(ResultLoader.load(files.get(r - 1)), KernelHistory.options(r));
            }
            long t1 = System.nanoTime();
            List<Series> series = h.queries().series(HistoryQueries.Filter.ALL_PRIMARY);
            long t2 = System.nanoTime();
            assertEquals(kh.ops().size(), series.size());
            ChangeDetection.Report rep = ChangeDetection.detect(series, ChangeDetection.Options.DEFAULTS);
            System.out.printf(java.util.Locale.ROOT, "%s: ingest of 40 kernel runs (15 kernels x 3 metrics x 20 samples) %.0f ms, read of"
                    + " the 15 primary series %.0f ms, change points %.0f ms%n", h.location().postgres() ? "postgresql" : "sqlite",
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
            assertEquals(1, rep.changes().size(), () -> HistoryText.changes(rep));
            ChangeDetection.ChangePoint c = rep.changes().getFirst();
            assertEquals("r25", c.run().runId());
            assertEquals("c25", c.run().label());
            assertTrue(c.series().key().benchmark().contains(KernelHistory.PLANTED_OP));
            assertEquals("us/op", c.series().unit());
            // the secondary metrics move with the op: all metrics of the planted kernel change at r25, nothing else
            ChangeDetection.Report all = ChangeDetection.detect(h.queries().series(new HistoryQueries.Filter(null, "all", null, null)),
                    ChangeDetection.Options.DEFAULTS);
            assertTrue(all.changes().stream().allMatch(x -> x.run().runId().equals("r25")
                    && x.series().key().benchmark().contains(KernelHistory.PLANTED_OP)), () -> HistoryText.changes(all));
            assertEquals(3, all.changes().size(), () -> HistoryText.changes(all));
            assertEquals(2, all.changes().getFirst().alsoMoved().size(), "the other metrics of the op moved at the same run");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.edgebench.history.TestDatabases#both")
    void gapsAndASinglePointAreReported(TestDatabases.Db db) throws Exception {
        try (HistoryStore h = HistoryStore.open(db.fresh(tmp))) {
            for (int r = 1; r <= 8; r++) {
                Fixtures.B prefill = Fixtures.bench().kind("prefill").mean(120);
                if (r == 3 || r == 4) {
                    prefill.status("failed");
                }
                Path dir = Fixtures.run(tmp.resolve("g" + r), "gap-" + r, r, Fixtures.bench(), prefill);
                h.ingest(ResultLoader.load(dir), new IngestOptions(null, KernelHistory.START.plusSeconds(60L * r), null, null, null));
                if (r == 1) {
                    ChangeDetection.Report one = ChangeDetection.detect(h.queries().series(HistoryQueries.Filter.ALL_PRIMARY),
                            ChangeDetection.Options.DEFAULTS);
                    assertEquals(2, one.skipped().size());
                    assertTrue(one.skipped().getFirst().reason().startsWith("1 run in the history: a change point needs at least 6"),
                            one.skipped().getFirst().reason());
                }
            }
            List<Series> series = h.queries().series(new HistoryQueries.Filter("prefill", null, null, null));
            assertEquals(1, series.size());
            Series s = series.getFirst();
            assertEquals(6, s.points().size());
            assertEquals(List.of("gap-3", "gap-4"), HistoryStore.ids(s.gaps()));
            ChangeDetection.Report rep = ChangeDetection.detect(series, ChangeDetection.Options.DEFAULTS);
            assertTrue(HistoryText.changes(rep).contains("no value in 2 run(s) (gap-3, gap-4)"), HistoryText.changes(rep));
            assertTrue(HistoryText.series(s, rep).contains("No value in 2 run(s)"));
        }
    }
}
