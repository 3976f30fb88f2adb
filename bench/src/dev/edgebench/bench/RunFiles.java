package dev.edgebench.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import dev.edgebench.results.RunAssembler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Files a forked benchmark JVM writes into the run folder named by system property
 * {@code edgebench.run.dir}: per-iteration samples ({@code samples/<id>.jsonl}), HdrHistogram
 * logs ({@code hlog/<id>.hlog}) and failures ({@code failures/<id>.json}). When the property is
 * not set (plain JMH use) nothing is written. Appends are line-sized and flushed at once, so
 * whatever finished before an interruption or a crash stays on disk.
 */
public final class RunFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunFiles() {
    }

    /** @return the run folder, or null when files are not wanted */
    public static Path runDir() {
        String d = System.getProperty("edgebench.run.dir");
        return d == null || d.isBlank() ? null : Path.of(d);
    }

    /** @return {@code <run dir>/<sub>/<id><suffix>}, its folder created; null without a run folder */
    public static Path file(String sub, String id, String suffix) throws IOException {
        Path dir = runDir();
        if (dir == null) {
            return null;
        }
        Path d = dir.resolve(sub);
        Files.createDirectories(d);
        return d.resolve(BenchId.fileName(id) + suffix);
    }

    /** Appends one JSON line. */
    public static void appendJsonLine(Path file, Map<String, Object> line) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /**
     * Records why a benchmark failed before it could measure (setup error), for run.json.
     * Never throws: failing to record must not hide the original failure.
     */
    public static void recordFailure(String id, Throwable t) {
        try {
            Path dir = runDir();
            if (dir == null) {
                return;
            }
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            RunAssembler.writeFailure(dir, id, t.getClass().getName(), String.valueOf(t.getMessage()), sw.toString());
        } catch (IOException | RuntimeException ignored) {
            // the exception itself still reaches JMH
        }
    }
}
