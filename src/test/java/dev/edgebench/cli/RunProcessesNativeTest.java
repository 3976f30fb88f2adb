package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgebench.TestSupport;
import dev.edgebench.compare.ResultLoader;
import dev.edgebench.compare.ResultSet;
import dev.edgebench.run.RunFolder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, with real processes: two runs started at the same moment on one results folder and one
 * empty model cache both finish, each in its own folder, with the model forged once and
 * byte-identical to a fresh forge; a run killed with SIGKILL after its first benchmark is found
 * interrupted by the next command, its finished benchmark readable by compare.
 */
@Tag("native")
class RunProcessesNativeTest {
    static ProcessBuilder edgebench(Path cache, Path log, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Dedgebench.models=" + cache);
        cmd.add("-Dedgebench.profile=cpu");
        cmd.add("-Dedgebench.native.dir=" + TestSupport.nativeBuildDir());
        cmd.add("-Dedgebench.project.dir=" + TestSupport.projectDir());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.edgebench.cli.Main");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    }

    static String[] tinyRun(Path runs, String benchmarks) {
        return new String[]{"run", "--model", TestSupport.TINY + ":Q4_0", "--benchmarks", benchmarks, "--prompt", "16", "--gen", "8",
                "--warmup", "0", "--samples", "2", "--threads", "1", "--no-telemetry", "--out", runs.toString()};
    }

    @Test
    void twoRunsStartedTogetherBothFinishInTheirOwnFolders(@TempDir Path tmp) throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Path runs = tmp.resolve("runs");
        Process a = edgebench(cache, tmp.resolve("a.log"), tinyRun(runs, "decode")).start();
        Process b = edgebench(cache, tmp.resolve("b.log"), tinyRun(runs, "decode")).start();
        assertTrue(a.waitFor(5, TimeUnit.MINUTES) && b.waitFor(5, TimeUnit.MINUTES), "both runs end");
        assertEquals(0, a.exitValue(), () -> read(tmp.resolve("a.log")));
        assertEquals(0, b.exitValue(), () -> read(tmp.resolve("b.log")));
        List<Path> folders;
        try (Stream<Path> s = Files.list(runs)) {
            folders = s.filter(Files::isDirectory).toList();
        }
        assertEquals(2, folders.size(), folders::toString);
        for (Path f : folders) {
            JsonNode run = RunFolder.json().readTree(f.resolve("run.json").toFile());
            assertEquals("complete", run.path("status").asText(), f.toString());
            assertEquals(2, run.path("benchmarks").get(0).path("samples").asInt(), "each run has its own samples, not both");
        }
        long seed = dev.edgebench.model.Models.parse(TestSupport.TINY + ":Q4_0", dev.edgebench.model.Catalog.builtin()).seed();
        Path forged = TestSupport.forge(Files.createDirectories(tmp.resolve("fresh")), TestSupport.TINY, "Q4_0", seed);
        Path shared;
        try (Stream<Path> s = Files.walk(cache)) {
            List<Path> gguf = s.filter(p -> p.getFileName().toString().endsWith(".gguf")).toList();
            assertEquals(1, gguf.size(), () -> "one model in the shared cache: " + gguf);
            shared = gguf.get(0);
        }
        assertEquals(TestSupport.sha256(forged), TestSupport.sha256(shared), "the model both runs forged is a fresh forge's");
    }

    @Test
    void aKilledRunIsFoundInterruptedWithItsFinishedBenchmarkReadable(@TempDir Path tmp) throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        TestSupport.forge(cache, TestSupport.TINY, "Q4_0",
                dev.edgebench.model.Models.parse(TestSupport.TINY + ":Q4_0", dev.edgebench.model.Catalog.builtin()).seed());
        Path runs = tmp.resolve("runs");
        Process p = edgebench(cache, tmp.resolve("run.log"), tinyRun(runs, "prefill,decode")).start();
        Path folder = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        // wait until the first benchmark is assembled into run.json, then kill the run without warning
        while (System.nanoTime() < deadline && p.isAlive()) {
            folder = onlyFolder(runs);
            if (folder != null && firstDone(folder)) {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(p.isAlive() && folder != null && firstDone(folder), () -> "the run reached its second benchmark: " + read(tmp.resolve("run.log")));
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.exists(folder.resolve("run.lock")), "killed: nobody removed the lock");

        ResultSet rs = ResultLoader.load(folder);
        assertEquals("interrupted", rs.run().path("status").asText());
        ResultSet.Bench prefill = rs.benchmarks().values().stream().filter(x -> x.kind().equals("prefill")).findFirst().orElseThrow();
        assertTrue(prefill.ok(), prefill::toString);
        assertEquals(2, prefill.metrics().get("prefill.tok_s").values().length);
        assertTrue(Files.isRegularFile(folder.resolve("summary.md")));
    }

    /**
     * Ctrl-C during a requests sample (SIGTERM to the run and its forks, which the JVM handles as
     * it handles SIGINT): the requests in flight are cancelled in the engine and recorded as
     * CANCELLED in the requests file, after the samples already measured; the run is interrupted.
     */
    @Test
    void requestsInFlightAtCtrlCAreCancelledAndRecordedAsSuch(@TempDir Path tmp) throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        TestSupport.forge(cache, TestSupport.TINY, "Q4_0",
                dev.edgebench.model.Models.parse(TestSupport.TINY + ":Q4_0", dev.edgebench.model.Catalog.builtin()).seed());
        Path runs = tmp.resolve("runs");
        Process p = edgebench(cache, tmp.resolve("run.log"), "run", "--engine", "llama-batched", "--model", TestSupport.TINY + ":Q4_0",
                "--concurrency", "2", "--requests", "4", "--prompt", "8", "--gen", "1500", "--warmup", "0", "--samples", "50",
                "--threads", "1", "--no-telemetry", "--out", runs.toString()).start();
        Path requests = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        // wait until the first sample's requests are written: the second sample is then running
        while (System.nanoTime() < deadline && p.isAlive()) {
            Path folder = onlyFolder(runs);
            Path dir = folder == null ? null : folder.resolve("requests");
            if (dir != null && Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    requests = s.filter(f -> f.getFileName().toString().endsWith(".jsonl") && !f.getFileName().toString().endsWith(".engine.jsonl"))
                            .findFirst().orElse(null);
                }
                if (requests != null && Files.readAllLines(requests).size() >= 4) {
                    break;
                }
            }
            Thread.sleep(20);
        }
        Path file = requests;
        assertTrue(p.isAlive() && file != null, () -> "the run measured its first sample: " + read(tmp.resolve("run.log")));
        Thread.sleep(200);
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run ends at SIGTERM");
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        List<dev.edgebench.load.RequestRecord> recs = dev.edgebench.load.RequestLog.read(file);
        List<dev.edgebench.load.RequestRecord> cancelled = recs.stream().filter(r -> r.finishReason().equals("CANCELLED")).toList();
        assertTrue(!cancelled.isEmpty(), () -> "cancelled requests recorded: " + recs.size() + " records; " + read(tmp.resolve("run.log")));
        for (var r : cancelled) {
            assertEquals(dev.edgebench.load.RequestDriver.INTERRUPTED, r.error());
            assertTrue(r.tokens() < 1500, r::toString);
        }
        assertTrue(recs.stream().limit(4).allMatch(r -> r.finishReason().equals("LENGTH") && r.tokens() == 1500),
                "the first sample's requests stay as measured");
        JsonNode run = RunFolder.json().readTree(onlyFolder(runs).resolve("run.json").toFile());
        assertEquals("interrupted", run.path("status").asText());
    }

    private static boolean firstDone(Path folder) throws IOException {
        Path json = folder.resolve("run.json");
        if (!Files.isRegularFile(json)) {
            return false;
        }
        try {
            JsonNode b = RunFolder.json().readTree(json.toFile()).path("benchmarks");
            return b.size() > 0 && b.get(0).path("status").asText().equals("ok");
        } catch (IOException e) {
            return false;
        }
    }

    private static Path onlyFolder(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) {
            return null;
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(Files::isDirectory).findFirst().orElse(null);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static {
        // the forks inherit the class path through JMH: make sure this JVM's is absolute
        assertTrue(System.getProperty("java.class.path").split(File.pathSeparator).length > 1);
    }
}
