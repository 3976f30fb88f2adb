package dev.edgebench.compare;

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
    public static List<Difference> diff(Map<String, Object> base, Map<String, Object> cur) {
        List<Difference> out = new ArrayList<>();
        if (base == null || cur == null) {
            return out;
        }
        Map<String, Object[]> fields = new LinkedHashMap<>();
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
        for (Map.Entry<String, Object[]> f : fields.entrySet()) {
            String[] d = (String[]) f.getValue();
            Object a = get(base, d[1]);
            Object b = get(cur, d[1]);
            if (!Objects.equals(norm(a), norm(b))) {
                out.add(new Difference(d[0], f.getKey(), a, b));
            }
        }
        gpus(out, list(get(base, "environment.gpus")), list(get(cur, "environment.gpus")));
        telemetry(out, "power", get(base, "environment.power"), get(cur, "environment.power"));
        telemetry(out, "telemetry", get(base, "environment.telemetry"), get(cur, "environment.telemetry"));
        models(out, list(get(base, "models")), list(get(cur, "models")));
        return out;
    }

    private static void add(Map<String, Object[]> m, String category, String what, String path) {
        m.put(what, new String[]{category, path});
    }

    private static void gpus(List<Difference> out, List<Object> a, List<Object> b) {
        if (a.size() != b.size()) {
            out.add(new Difference("hardware", "GPU count", a.size(), b.size()));
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (a.get(i) instanceof Map<?, ?> ga && b.get(i) instanceof Map<?, ?> gb) {
                for (String[] k : new String[][]{{"name", "GPU"}, {"driver", "GPU driver"}, {"cudaDriverApi", "CUDA driver API"},
                        {"computeCapability", "compute capability"}, {"maxSmClockMHz", "max SM clock MHz"}, {"powerLimitW", "GPU power limit W"},
                        {"memoryBytes", "GPU memory bytes"}}) {
                    if (!Objects.equals(norm(ga.get(k[0])), norm(gb.get(k[0])))) {
                        out.add(new Difference("hardware", k[1] + (a.size() > 1 ? " #" + i : ""), ga.get(k[0]), gb.get(k[0])));
                    }
                }
            }
        }
    }

    /** Every recorded power or telemetry fact (power mode, governor, clocks, fan) that differs. */
    private static void telemetry(List<Difference> out, String what, Object a, Object b) {
        Map<String, Object> fa = new LinkedHashMap<>();
        Map<String, Object> fb = new LinkedHashMap<>();
        flatten("", a, fa);
        flatten("", b, fb);
        java.util.Set<String> keys = new java.util.LinkedHashSet<>(fa.keySet());
        keys.addAll(fb.keySet());
        for (String k : keys) {
            if (!Objects.equals(norm(fa.get(k)), norm(fb.get(k)))) {
                out.add(new Difference("hardware", what + " " + k, fa.get(k), fb.get(k)));
            }
        }
    }

    private static void models(List<Difference> out, List<Object> a, List<Object> b) {
        Map<Object, Object> ha = new LinkedHashMap<>();
        for (Object m : a) {
            if (m instanceof Map<?, ?> mm) {
                ha.put(mm.get("ref"), mm.get("sha256"));
            }
        }
        for (Object m : b) {
            if (m instanceof Map<?, ?> mm && ha.containsKey(mm.get("ref")) && !Objects.equals(ha.get(mm.get("ref")), mm.get("sha256"))) {
                out.add(new Difference("model", "model file " + mm.get("ref") + " (sha256)", ha.get(mm.get("ref")), mm.get("sha256")));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object o, Map<String, Object> out) {
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : ((Map<Object, Object>) m).entrySet()) {
                flatten(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (o != null && !prefix.isEmpty()) {
            out.put(prefix, o);
        }
    }

    @SuppressWarnings("unchecked")
    static Object get(Map<String, Object> doc, String path) {
        Object o = doc;
        for (String p : path.split("\\.")) {
            if (!(o instanceof Map<?, ?> m)) {
                return null;
            }
            o = ((Map<String, Object>) m).get(p);
        }
        return o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    /** Numbers compare by value (1 and 1.0 alike), everything else by its text. */
    private static Object norm(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        return o == null ? null : String.valueOf(o);
    }
}
