package dev.edgebench.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.compare.ResultSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Derives a run's {@link RunInfo} from what compare's reader loaded: run.json's environment,
 * engine and preset, or, for a JMH file such as the kernel suite's {@code kernels-jmh.json}, the
 * {@code kernels.json} report beside it and what ingest was told. Stateless.
 */
final class RunFacts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunFacts() {
    }

    static RunInfo of(ResultSet rs, IngestOptions o, Instant now) throws HistoryException {
        String sha = sha256(rs.source());
        JsonNode doc = rs.run() == null ? null : JSON.valueToTree(rs.run());
        if (doc == null) {
            return jmh(rs, o, sha, now);
        }
        JsonNode env = doc.path("environment");
        JsonNode host = env.path("host");
        JsonNode engine = doc.path("engine");
        JsonNode build = engine.path("build");
        List<String> gpuNames = new ArrayList<>();
        env.path("gpus").forEach(g -> gpuNames.add(g.path("name").asText()));
        String profile = text(engine.path("profile"), text(build.path("profile"), null));
        String cpu = text(host.path("cpuModel"), null);
        String device = o.device() != null ? o.device() : !gpuNames.isEmpty() && !"cpu".equals(profile)
                ? gpuNames.getFirst() + (gpuNames.size() > 1 ? " x" + gpuNames.size() : "")
                : (cpu == null ? text(host.path("arch"), "unknown CPU") : cpu) + " (" + host.path("logicalCpus").asInt(0) + " CPUs)";
        String powerMode = text(env.path("power").path("nvpmodel"), null);
        String preset = text(doc.path("preset").path("name"), "default");
        String runId = o.runId() != null ? o.runId() : rs.label();
        Instant started = o.startedAt() != null ? o.startedAt() : instant(doc.path("startedAt"), rs.source(), "startedAt");
        if (started == null) {
            throw new HistoryException(HistoryException.Kind.BAD_INPUT, rs.source() + " has no startedAt: the history orders runs by it");
        }
        return new RunInfo(runId, sha, rs.format(), started, instant(doc.path("finishedAt"), rs.source(), "finishedAt"),
                text(doc.path("status"), null), preset, device, configuration(o, preset, powerMode), text(host.path("hostname"), null),
                cpu, gpuNames.isEmpty() ? null : String.join(", ", gpuNames),
                env.path("gpus").isEmpty() ? null : text(env.path("gpus").get(0).path("driver"), null), powerMode,
                text(engine.path("name"), null), profile, text(build.path("engine").path("release"), null),
                text(build.path("engine").path("gitCommit"), null), o.codeCommit(),
                build.isMissingNode() ? null : json(build), env.isMissingNode() ? null : json(env), rs.source().toString(), now);
    }

    /** A JMH result file: identity from the options, the folder, and the kernel suite's report beside it. */
    private static RunInfo jmh(ResultSet rs, IngestOptions o, String sha, Instant now) throws HistoryException {
        Path file = rs.source().toAbsolutePath();
        Path dir = file.getParent();
        JsonNode report = null;
        Path kernels = dir == null ? null : dir.resolve("kernels.json");
        if (kernels != null && Files.isRegularFile(kernels)) {
            try {
                report = JSON.readTree(kernels.toFile());
            } catch (IOException e) {
                throw new HistoryException(HistoryException.Kind.BAD_INPUT, kernels + " is not valid JSON: " + e.getMessage(), e);
            }
        }
        String runId = o.runId() != null ? o.runId() : dir == null ? file.getFileName().toString() : dir.getFileName().toString();
        Instant started = o.startedAt();
        if (started == null) {
            try {
                started = Files.getLastModifiedTime(file).toInstant();
            } catch (IOException e) {
                throw new HistoryException(HistoryException.Kind.BAD_INPUT, "cannot read the time of " + file + ": " + e.getMessage(), e);
            }
        }
        String device = o.device();
        String preset = "jmh";
        if (report != null) {
            if (device == null) {
                device = text(report.path("backend").path("description"), null);
            }
            String protocol = text(report.path("protocol"), null);
            if (protocol != null) {
                preset = "kernels-" + protocol.split(":")[0].strip();
            }
        }
        if (device == null) {
            throw new HistoryException(HistoryException.Kind.BAD_INPUT, file + " is a JMH file without kernels.json beside it: name its"
                    + " device (--device) so that its series can be told apart from other machines'");
        }
        return new RunInfo(runId, sha, rs.format(), started, null, null, preset, device, configuration(o, preset, null), null, null,
                null, null, null, null, null, null, null, o.codeCommit(), null, report == null ? null : json(report),
                file.toString(), now);
    }

    private static String configuration(IngestOptions o, String preset, String powerMode) {
        if (o.configuration() != null) {
            return o.configuration();
        }
        return "preset=" + preset + (powerMode == null ? "" : ", power=" + powerMode);
    }

    private static Instant instant(JsonNode n, Path source, String field) throws HistoryException {
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeException e) {
            throw new HistoryException(HistoryException.Kind.BAD_INPUT, source + ": " + field + " '" + n.asText()
                    + "' is not an ISO-8601 time");
        }
    }

    private static String text(JsonNode n, String dflt) {
        return n.isValueNode() && !n.isNull() && !n.asText().isBlank() ? n.asText() : dflt;
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String json(Map<String, ?> m) {
        return m == null || m.isEmpty() ? null : json((Object) m);
    }

    static String sha256(Path file) throws HistoryException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new HistoryException(HistoryException.Kind.BAD_INPUT, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
