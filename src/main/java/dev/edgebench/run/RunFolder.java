package dev.edgebench.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * The layout of one run's folder and the rules for making one. Every file a run writes is named
 * here: {@code run.json}, {@code summary.md}, {@code jmh-<workload>.json}, and per benchmark
 * {@code samples/<id>.jsonl}, {@code hlog/<id>.hlog}, {@code failures/<id>.json},
 * {@code telemetry/<id>.json}, {@code requests/<id>.jsonl} (request workloads: one record per request), where {@code <id>} is the {@link #fileName file-name form} of the
 * benchmark id. A run folder is created atomically and never shared: two runs started in the same
 * second get different folders, and a folder that already exists is never reused.
 */
public record RunFolder(Path dir) {
    /** Run ids are names: letters, digits, '.', '_', '-', starting with a letter or digit. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @throws IllegalArgumentException when {@code id} is not a plain name (a path, empty, "..")
     */
    public static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches() || id.contains("..")) {
            throw new IllegalArgumentException("--run-id must be a name of letters, digits, '.', '_' and '-' (at most 128,"
                    + " no '..', no '/'), was '" + id + "'");
        }
        return id;
    }

    /**
     * Creates a new run folder under {@code parent}. With {@code requestedId} the folder must not
     * exist yet (a finished run is never overwritten); without one the id is the UTC second plus
     * {@code suffix}, and a clash with a run started in the same second takes the next free
     * {@code -2}, {@code -3}, ... The creation itself is the claim ({@link Files#createDirectory}
     * fails when another process made the folder first), so two runs never share one.
     *
     * @throws IllegalArgumentException when the requested id is not a name or is taken
     * @throws IOException              when the parent cannot be created or written
     */
    public static RunFolder create(Path parent, String requestedId, String suffix) throws IOException {
        Files.createDirectories(parent);
        if (requestedId != null) {
            Path dir = parent.resolve(checkId(requestedId));
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                throw new IllegalArgumentException("run folder " + dir + " already exists: a run id is used once (choose another"
                        + " --run-id, or leave it out for a fresh one)");
            }
            return new RunFolder(dir.toAbsolutePath().normalize());
        }
        String base = STAMP.format(Instant.now()) + "-" + suffix;
        for (int n = 1; n < 10_000; n++) {
            Path dir = parent.resolve(n == 1 ? base : base + "-" + n);
            try {
                Files.createDirectory(dir);
                return new RunFolder(dir.toAbsolutePath().normalize());
            } catch (FileAlreadyExistsException e) {
                // another run started in the same second: take the next name
            }
        }
        throw new IOException("no free run folder name for " + base + " in " + parent);
    }

    public String runId() {
        return dir.getFileName().toString();
    }

    public Path runJson() {
        return dir.resolve("run.json");
    }

    public Path summary() {
        return dir.resolve("summary.md");
    }

    /** @return JMH's own result file for one workload */
    public Path jmhResult(String workload) {
        return dir.resolve("jmh-" + workload + ".json");
    }

    public Path samples(String benchmarkId) {
        return dir.resolve("samples").resolve(fileName(benchmarkId) + ".jsonl");
    }

    public Path hlog(String benchmarkId) {
        return dir.resolve("hlog").resolve(fileName(benchmarkId) + ".hlog");
    }

    public Path failure(String benchmarkId) {
        return dir.resolve("failures").resolve(fileName(benchmarkId) + ".json");
    }

    public Path telemetry(String benchmarkId) {
        return dir.resolve("telemetry").resolve(fileName(benchmarkId) + ".json");
    }

    /** @return the per-request records of a request workload (one JSON object per line) */
    public Path requests(String benchmarkId) {
        return dir.resolve("requests").resolve(fileName(benchmarkId) + ".jsonl");
    }

    /** @return a request workload's engine statistics, one JSON object per measured sample (engines that keep them) */
    public Path engineIterations(String benchmarkId) {
        return dir.resolve("requests").resolve(fileName(benchmarkId) + ".engine.jsonl");
    }

    /** Longest file-name form of an id: file systems allow 255 bytes, and writers add a suffix and a temporary name. */
    static final int MAX_FILE_NAME = 200;

    /**
     * @return the file-name form of a benchmark id, shared by the forks (which write) and the host
     *         (which reads); an id longer than {@value #MAX_FILE_NAME} characters (many parameters, an
     *         engine given by a long path or URL) is cut and ends in a hash of the whole id, so that
     *         distinct ids keep distinct files
     */
    public static String fileName(String id) {
        String name = id.replaceAll("[^A-Za-z0-9._=,+-]", "_");
        if (name.length() <= MAX_FILE_NAME) {
            return name;
        }
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return name.substring(0, MAX_FILE_NAME - 17) + "-" + java.util.HexFormat.of().formatHex(h, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Writes JSON atomically: a temporary file unique to this writer, then a rename over the
     * target. Two writers never share a temporary name.
     */
    public static void writeJson(Path file, Object doc) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), doc);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** @return the shared JSON mapper for run documents (records, indented output) */
    public static ObjectMapper json() {
        return JSON;
    }
}
