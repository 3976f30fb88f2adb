package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.engine.llama.LlamaRuntime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the pinned llama.cpp build's {@code test-backend-ops -m perf} on one kernel, for a
 * back-to-back comparison with edgebench's own figure. The kernel is handed over as a one-line
 * {@code --test-file} (test-backend-ops' generic op: op, output type and shape, op parameters,
 * sources with types, shapes and strides), so any shape of the inventory can be compared, not only
 * those in test-backend-ops' built-in perf list. Results are read from its {@code --output sql}.
 *
 * <p>test-backend-ops runs a generic op with its memory-based run count (8 GiB of op bytes on a
 * CPU, 32 GiB on a GPU) and, on the CPU, with half the hardware threads; {@link #threads()} and
 * {@link #copies} say what edgebench must use to measure the same thing.
 *
 * <p>Immutable; thread-safe (each run is its own process).
 */
public final class TestBackendOps {
    private final Path binary;

    /** @param binary the test-backend-ops executable */
    public TestBackendOps(Path binary) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalArgumentException("test-backend-ops not found or not executable: " + binary
                    + " (the native build installs it in native/build/<profile>/bin)");
        }
        this.binary = binary;
    }

    /** @return the pinned build's binary: {@code bin/test-backend-ops} beside the loaded libraries' folder */
    public static Path pinnedBinary() {
        Path lib = LlamaRuntime.get().libraries().libDir();
        return lib.resolveSibling("bin").resolve("test-backend-ops");
    }

    /** @return the CPU threads test-backend-ops uses: half the hardware threads, at least 1 */
    public static int threads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /**
     * The op nodes test-backend-ops puts in one graph for a generic op: memory-based, as it has no
     * FLOP count for it.
     */
    public static int copies(KernelSpec spec, boolean cpu) {
        double size = spec.dst().nBytes();
        for (TensorShape s : spec.sources()) {
            size += s.nBytes();
        }
        double target = (cpu ? 8.0 : 32.0) * (1L << 30);
        return (int) Math.min(KernelGraph.GRAPH_NODES - 1, Math.floor(target / size)) + 1;
    }

    /**
     * @return why a kernel cannot be handed to test-backend-ops as a generic op, or null when it can
     */
    public static String unsupported(KernelSpec spec) {
        return switch (spec.kind()) {
            case MUL_MAT, ADD, MUL, RMS_NORM, GET_ROWS, SCALE -> null;
            default -> spec.kind() + ": its sources need data test-backend-ops' generic op does not make (positions, masks,"
                    + " indices) or op parameters it does not take";
        };
    }

    /**
     * The {@code --test-file} line of a kernel.
     *
     * @throws IllegalArgumentException when {@link #unsupported} says why not
     */
    public static String testFileLine(KernelSpec spec) {
        String why = unsupported(spec);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        LlamaRuntime.get();
        int op = switch (spec.kind()) {
            case MUL_MAT -> Ggml.GGML_OP_MUL_MAT();
            case ADD -> Ggml.GGML_OP_ADD();
            case MUL -> Ggml.GGML_OP_MUL();
            case RMS_NORM -> Ggml.GGML_OP_RMS_NORM();
            case GET_ROWS -> Ggml.GGML_OP_GET_ROWS();
            case SCALE -> Ggml.GGML_OP_SCALE();
            default -> throw new IllegalStateException();
        };
        List<Integer> params = switch (spec.kind()) {
            case RMS_NORM -> List.of(Float.floatToRawIntBits((float) spec.param("eps")));
            case SCALE -> List.of(Float.floatToRawIntBits((float) spec.param("s")), Float.floatToRawIntBits(0.0f));
            default -> List.of();
        };
        TensorShape dst = spec.dst();
        StringBuilder sb = new StringBuilder();
        sb.append(op).append(' ').append(dst.type().id());
        for (long d : dst.ne4()) {
            sb.append(' ').append(d);
        }
        sb.append(' ').append(params.size());
        params.forEach(p -> sb.append(' ').append(p));
        sb.append(' ').append(spec.sources().size());
        for (TensorShape s : spec.sources()) {
            sb.append(' ').append(s.type().id());
            long[] ne = s.ne4();
            for (long d : ne) {
                sb.append(' ').append(d);
            }
            long nb0 = s.type().typeSize();
            long nb1 = s.type().rowBytes(ne[0]);
            long nb2 = nb1 * ne[1];
            long nb3 = nb2 * ne[2];
            sb.append(' ').append(nb0).append(' ').append(nb1).append(' ').append(nb2).append(' ').append(nb3);
        }
        sb.append(" edgebench");
        return sb.toString();
    }

    /**
     * One test-backend-ops perf result.
     *
     * @param supported whether the backend ran it
     * @param error     its error message, empty when none
     * @param usPerRun  microseconds per op run
     * @param runs      op runs timed in all
     * @param opParams  test-backend-ops' description of the case
     */
    public record Result(boolean supported, String error, double usPerRun, long runs, String opParams) {
    }

    /**
     * Runs one kernel through {@code test-backend-ops perf -b DEVICE --test-file}.
     *
     * @param device   the ggml device name (e.g. "CPU", "CUDA0")
     * @param timeoutS seconds before the process is killed
     * @throws IOException when it cannot run, fails, or prints no result for the kernel
     */
    public Result run(KernelSpec spec, String device, long timeoutS) throws IOException {
        Path file = Files.createTempFile("edgebench-tbo-", ".txt");
        Path out = Files.createTempFile("edgebench-tbo-", ".sql");
        try {
            Files.writeString(file, testFileLine(spec) + "\n");
            Process p = new ProcessBuilder(binary.toString(), "perf", "-b", device, "--test-file", file.toString(), "--output", "sql")
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean done;
            try {
                done = p.waitFor(timeoutS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while test-backend-ops ran " + spec, e);
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException("test-backend-ops did not finish " + spec + " within " + timeoutS + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            Result r = parse(text);
            if (r == null) {
                throw new IOException("test-backend-ops (exit " + p.exitValue() + ") printed no perf result for " + spec + ":\n"
                        + tail(text));
            }
            return r;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(out);
        }
    }

    /** Reads the first perf row of test-backend-ops' SQL output, or null when there is none. */
    static Result parse(String sql) {
        for (String line : sql.split("\n")) {
            if (!line.startsWith("INSERT INTO test_backend_ops")) {
                continue;
            }
            int c0 = line.indexOf('(');
            int c1 = line.indexOf(')', c0);
            int v0 = line.indexOf("VALUES (", c1);
            if (c0 < 0 || c1 < 0 || v0 < 0) {
                continue;
            }
            String[] cols = line.substring(c0 + 1, c1).split(",\\s*");
            List<String> vals = sqlValues(line.substring(v0 + "VALUES (".length()));
            if (vals.size() != cols.length) {
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < cols.length; i++) {
                row.put(cols[i].strip(), vals.get(i));
            }
            if (!"perf".equals(row.get("test_mode"))) {
                continue;
            }
            boolean supported = "1".equals(row.get("supported"));
            return new Result(supported, row.getOrDefault("error_message", ""),
                    supported ? Double.parseDouble(row.get("time_us")) : Double.NaN,
                    supported ? Long.parseLong(row.get("n_runs")) : 0, row.getOrDefault("op_params", ""));
        }
        return null;
    }

    /** Splits {@code 'a', 'b''c', 'd');} into its quoted values. */
    private static List<String> sqlValues(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == '\'') {
                StringBuilder v = new StringBuilder();
                i++;
                while (i < s.length()) {
                    char c = s.charAt(i);
                    if (c == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                        v.append('\'');
                        i += 2;
                    } else if (c == '\'') {
                        i++;
                        break;
                    } else {
                        v.append(c);
                        i++;
                    }
                }
                out.add(v.toString());
            } else if (ch == ')') {
                break;
            } else {
                i++;
            }
        }
        return out;
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 12), lines.length));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "test-backend-ops at %s", binary);
    }
}
