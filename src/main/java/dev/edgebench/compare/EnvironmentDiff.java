package dev.edgebench.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What differs between the environments two runs were measured in: hardware (CPU model, GPU,
 * driver, clocks and power limits, the power state: Jetson power mode, CPU governor, GPU
 * application clocks; telemetry when recorded), the engine build
 * (profile, instruction set, ggml options, compiler flags, source commit, CUDA), the software
 * around it (JVM, kernel), the models (sha256) and the protocol (preset, samples, forks).
 * Each difference becomes a warning: numbers from different environments are not comparable
 * without saying so.
 */
public final class EnvironmentDiff {
    /**
     * @param category hardware, build, software, model or protocol
     * @param what     a readable name of the field
     * @param baseline its value in the baseline (null = absent)
     * @param current  its value in the current run
     */
    public record Difference(String category, String what, Object baseline, Object current) {
        @Override
        public String toString() {
            return what + ": " + show(baseline) + " → " + show(current);
        }

        private static String show(Object o) {
            return o == null ? "(absent)" : String.valueOf(o);
        }
    }

    private EnvironmentDiff() {
    }

    /** @return the differences, hardware first; empty when either side has no environment (JMH JSON) */
    public static List<Difference> diff(JsonNode base, JsonNode cur) {
        List<Difference> out = new ArrayList<>();
        if (base == null || cur == null) {
            return out;
        }
        Map<String, String[]> fields = new LinkedHashMap<>();
        add(fields, "hardware", "CPU model", "environment.host.cpuModel");
        add(fields, "hardware", "logical CPUs", "environment.host.logicalCpus");
        add(fields, "hardware", "architecture", "environment.host.arch");
        add(fields, "hardware", "CPU SIMD flags", "environment.host.cpuFlags");
        add(fields, "hardware", "memory bytes", "environment.host.memoryBytes");
        add(fields, "build", "engine build profile", "engine.build.name");
        add(fields, "build", "engine CPU instruction set", "engine.build.cpuIsa");
        add(fields, "build", "ggml options", "engine.build.ggmlOptions");
        add(fields, "build", "CPU backend compiler flags", "engine.build.compiler.cpuBackendFlags");
        add(fields, "build", "compiler", "engine.build.compiler.version");
        add(fields, "build", "engine release", "engine.build.engine.release");
        add(fields, "build", "engine source commit", "engine.build.engine.gitCommit");
        add(fields, "build", "engine source sha256", "engine.build.engine.sourceSha256");
        add(fields, "build", "engine source modified", "engine.build.engine.dirty");
        add(fields, "build", "CUDA version", "engine.build.cuda.version");
        add(fields, "build", "CUDA architectures", "engine.build.cuda.architectures");
        add(fields, "build", "GPU offload", "engine.gpuOffload");
        add(fields, "software", "JVM", "environment.jvm.version");
        add(fields, "software", "kernel", "environment.host.kernel");
        add(fields, "protocol", "preset", "preset.name");
        add(fields, "protocol", "samples per fork", "preset.samples");
        add(fields, "protocol", "warm-up iterations", "preset.warmups");
        add(fields, "protocol", "forks", "preset.forks");
        for (Map.Entry<String, String[]> f : fields.entrySet()) {
            String[] d = f.getValue();
            differ(out, d[0], f.getKey(), get(base, d[1]), get(cur, d[1]));
        }
        gpus(out, get(base, "environment.gpus"), get(cur, "environment.gpus"));
        facts(out, "power", get(base, "environment.power"), get(cur, "environment.power"));
        facts(out, "telemetry", get(base, "environment.telemetry"), get(cur, "environment.telemetry"));
        models(out, get(base, "models"), get(cur, "models"));
        return out;
    }

    private static void add(Map<String, String[]> m, String category, String what, String path) {
        m.put(what, new String[]{category, path});
    }

    private static void differ(List<Difference> out, String category, String what, JsonNode a, JsonNode b) {
        if (!Objects.equals(norm(a), norm(b))) {
            out.add(new Difference(category, what, value(a), value(b)));
        }
    }

    private static void gpus(List<Difference> out, JsonNode a, JsonNode b) {
        if (a.size() != b.size()) {
            out.add(new Difference("hardware", "GPU count", a.size(), b.size()));
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            for (String[] k : new String[][]{{"name", "GPU"}, {"driver", "GPU driver"}, {"cudaDriverApi", "CUDA driver API"},
                    {"computeCapability", "compute capability"}, {"maxSmClockMHz", "max SM clock MHz"}, {"powerLimitW", "GPU power limit W"},
                    {"memoryBytes", "GPU memory bytes"}}) {
                differ(out, "hardware", k[1] + (a.size() > 1 ? " #" + i : ""), a.get(i).path(k[0]), b.get(i).path(k[0]));
            }
        }
    }

    /** Every recorded power or telemetry fact (power mode, governor, clocks, fan) that differs. */
    private static void facts(List<Difference> out, String what, JsonNode a, JsonNode b) {
        Map<String, JsonNode> fa = new LinkedHashMap<>();
        Map<String, JsonNode> fb = new LinkedHashMap<>();
        flatten("", a, fa);
        flatten("", b, fb);
        java.util.Set<String> keys = new java.util.LinkedHashSet<>(fa.keySet());
        keys.addAll(fb.keySet());
        for (String k : keys) {
            differ(out, "hardware", what + " " + k, fa.getOrDefault(k, MissingNode.getInstance()),
                    fb.getOrDefault(k, MissingNode.getInstance()));
        }
    }

    private static void models(List<Difference> out, JsonNode a, JsonNode b) {
        Map<String, String> ha = new LinkedHashMap<>();
        for (JsonNode m : a) {
            ha.put(m.path("ref").asText(), m.path("sha256").asText());
        }
        for (JsonNode m : b) {
            String ref = m.path("ref").asText();
            if (ha.containsKey(ref) && !Objects.equals(ha.get(ref), m.path("sha256").asText())) {
                out.add(new Difference("model", "model file " + ref + " (sha256)", ha.get(ref), m.path("sha256").asText()));
            }
        }
    }

    private static void flatten(String prefix, JsonNode o, Map<String, JsonNode> out) {
        if (o.isObject()) {
            o.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else if (!o.isMissingNode() && !o.isNull() && !prefix.isEmpty()) {
            out.put(prefix, o);
        }
    }

    /** @return the node at a dotted path ({@code environment.host.arch}), a missing node when absent */
    static JsonNode get(JsonNode doc, String path) {
        return doc.at("/" + path.replace('.', '/'));
    }

    /** @return a node's value for a report: number, text, or its JSON; null when absent */
    private static Object value(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return null;
        }
        return n.isNumber() ? n.numberValue() : n.isValueNode() ? n.asText() : n.toString();
    }

    /** Numbers compare by value (1 and 1.0 alike), everything else by its text. */
    private static Object norm(JsonNode n) {
        Object v = value(n);
        if (v instanceof Number x) {
            return x.doubleValue();
        }
        return v == null ? null : String.valueOf(v);
    }
}
