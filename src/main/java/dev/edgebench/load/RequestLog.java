package dev.edgebench.load;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgebench.run.RunFolder;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Appends per-request records to {@code requests/<benchmark>.jsonl} ({@link RunFolder#requests}),
 * one JSON object per line, a batch at a time after the batch has ended (never on the measured
 * path). Each append ends with a flush, so a killed run keeps every batch already written.
 */
public final class RequestLog {
    private static final ObjectWriter LINE = RunFolder.json().writer().without(SerializationFeature.INDENT_OUTPUT);

    private RequestLog() {
    }

    /** Appends the records to {@code file}, creating it and its folder when missing. */
    public static void append(Path file, List<RequestRecord> records) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            for (RequestRecord r : records) {
                w.write(LINE.writeValueAsString(r));
                w.write('\n');
            }
        }
    }

    /** Appends one line (a JSON object without line breaks) to {@code file}, creating it and its folder when missing. */
    public static void appendLine(Path file, String json) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            w.write(json);
            w.write('\n');
        }
    }

    /** @return every record of a requests file, in file order; a line cut by a kill ends the list */
    public static List<RequestRecord> read(Path file) throws IOException {
        List<RequestRecord> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(RunFolder.json().readValue(line, RequestRecord.class));
            } catch (IOException e) {
                break;
            }
        }
        return out;
    }
}
