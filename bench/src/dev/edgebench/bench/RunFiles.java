package dev.edgebench.bench;

import dev.edgebench.results.RunAssembler;
import dev.edgebench.run.RunFolder;
import dev.edgebench.run.SampleLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The run folder as a forked benchmark JVM sees it: named by system property
 * {@code edgebench.run.dir} (the host's {@link RunFolder}). When the property is not set (plain JMH
 * use) nothing is written. Appends are line-sized and flushed at once, so whatever finished
 * before an interruption or a crash stays on disk.
 */
public final class RunFiles {
    /** The system property that names the run folder in a fork. */
    public static final String RUN_DIR_PROPERTY = "edgebench.run.dir";

    private RunFiles() {
    }

    /** @return the run folder, or null when files are not wanted */
    public static RunFolder folder() {
        String d = System.getProperty(RUN_DIR_PROPERTY);
        return d == null || d.isBlank() ? null : new RunFolder(Path.of(d));
    }

    /** Appends one sample line to {@code samples/<id>.jsonl}; nothing without a run folder. */
    public static void appendSample(String id, SampleLine line) throws IOException {
        RunFolder f = folder();
        if (f == null) {
            return;
        }
        Path file = f.samples(id);
        Files.createDirectories(file.getParent());
        Files.writeString(file, RunFolder.json().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(line) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Records why a benchmark failed before it could measure (setup error), for run.json.
     * Never throws: failing to record must not hide the original failure.
     */
    public static void recordFailure(String id, Throwable t) {
        try {
            RunFolder f = folder();
            if (f == null) {
                return;
            }
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            RunAssembler.writeFailure(f, id, t.getClass().getName(), String.valueOf(t.getMessage()), sw.toString());
        } catch (IOException | RuntimeException ignored) {
            // the exception itself still reaches JMH
        }
    }
}
