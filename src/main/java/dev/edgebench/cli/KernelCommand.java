package dev.edgebench.cli;

import dev.edgebench.bench.kernel.KernelStudy;
import dev.edgebench.kernel.AttentionConfig;
import dev.edgebench.kernel.KernelGraph;
import dev.edgebench.kernel.Phase;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufFormatException;
import dev.edgebench.model.ModelForge;
import org.openjdk.jmh.runner.RunnerException;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code kernels} command: the per-kernel suite of one model's step ({@link KernelStudy} does
 * the work, {@link KernelPrinter} prints it). Exit codes: 0 done, 1 a failed measurement (JMH could
 * not run, the engine or test-backend-ops failed), 2 bad input (options, model).
 */
@CommandLine.Command(name = "kernels", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The per-kernel suite of one model's step: derives the step's kernels from the model, times each"
                + " through JMH with its weights where the engine puts them, measures the same step of the real model through"
                + " the engine (predicted as the sum of count x kernel time; on the CPU also profiled node by node), and prints"
                + " one table sorted by share of the predicted step.",
                "With --compare-test-backend-ops, then times the matrix products (or --ops) with edgebench and with the pinned"
                        + " test-backend-ops -m perf, interleaved, and prints the ratio per kernel with its spread."},
        footer = {"", "Writes kernels.json (this report) and kernels-jmh.json (JMH's) into --out.",
                "Exit codes: 0 done; 1 a failed measurement; 2 bad input."})
public final class KernelCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--model", paramLabel = "NAME:TYPE|FILE.gguf",
            description = "catalog model with a file type (forged when not cached), or a GGUF file; default ${DEFAULT-VALUE}")
    String model = "Llama-3.2-1B:Q4_0";

    @CommandLine.Option(names = "--phase", paramLabel = "decode|prefill",
            description = {"decode (default): one token for each of B sequences at depth D (default B=1, D=512);",
                    "prefill: N prompt tokens (default 512) after D cached ones, in ubatches of U (default 512)"})
    String phase = "decode";

    @CommandLine.Option(names = "--batch", paramLabel = "B", description = "decode: sequences")
    int batch = 1;

    @CommandLine.Option(names = "--depth", paramLabel = "D", description = "tokens already in the KV cache")
    int depth = 512;

    @CommandLine.Option(names = "--tokens", paramLabel = "N", description = "prefill: prompt tokens")
    int tokens = 512;

    @CommandLine.Option(names = "--ubatch", paramLabel = "U", description = "prefill: physical batch")
    int ubatch = Phase.DEFAULT_UBATCH;

    @CommandLine.Option(names = "--backend", paramLabel = "DEVICE",
            description = "ggml device of the build (CPU; CUDA0 ... on a CUDA build; gpu = the first GPU); default ${DEFAULT-VALUE}")
    String backend = "CPU";

    @CommandLine.Option(names = "--threads", paramLabel = "T", description = "CPU threads; default every available processor")
    int threads = Runtime.getRuntime().availableProcessors();

    @CommandLine.Option(names = "--quick",
            description = "(default) every kernel of the step, JMH 1 fork, 1 x 0.4 s warm-up, 5 x 0.4 s; 10 engine steps")
    boolean quick;

    @CommandLine.Option(names = "--full", description = "the same kernels, JMH 2 forks, 2 x 1 s warm-up, 5 x 1 s; 30 engine steps")
    boolean full;

    @CommandLine.Option(names = "--placement", paramLabel = "engine|device",
            description = {"engine (default): weights in the buffer llama.cpp uses (CPU: the repacking buffer);",
                    "device: the device's default buffer, as test-backend-ops"})
    KernelGraph.Placement placement = KernelGraph.Placement.ENGINE;

    @CommandLine.Option(names = "--cold-mib", paramLabel = "M",
            description = "MiB of distinct weight/KV copies each kernel rotates over, so that every run reads them from memory as a"
                    + " real step does (default ${DEFAULT-VALUE}; 0 = the same inputs every run, as test-backend-ops)")
    int coldMiB = KernelStudy.DEFAULT_COLD_MIB;

    @CommandLine.Option(names = "--no-flash-attn", description = "attention without flash attention")
    boolean noFlashAttn;

    @CommandLine.Option(names = "--kv-type", paramLabel = "TYPE", converter = KvType.class,
            description = "KV cache type (default f16)")
    GgmlType kvType = GgmlType.F16;

    @CommandLine.Option(names = "--ops", paramLabel = "REGEX", converter = Regex.class,
            description = "only kernels whose text matches this regular expression")
    Pattern ops;

    @CommandLine.Option(names = "--no-step", description = "do not load the model to measure the real step")
    boolean noStep;

    @CommandLine.Option(names = "--no-profile", description = "no node-by-node breakdown of the real step (CPU only anyway)")
    boolean noProfile;

    @CommandLine.Option(names = "--bandwidth-gbps", paramLabel = "X",
            description = "the device's memory bandwidth for the roofline, GB/s (default: measured)")
    double bandwidthGBps = Double.NaN;

    @CommandLine.Option(names = "--peak-gflops", paramLabel = "Y",
            description = "the device's matrix rate for the roofline, GFLOP/s (default: none)")
    double peakGflops = Double.NaN;

    @CommandLine.Option(names = "--out", paramLabel = "DIR",
            description = "where to write kernels-jmh.json (JMH) and kernels.json (this report);"
                    + " default <home>/results/runs/kernels-<model>-<phase>-<UTC time>")
    Path out;

    @CommandLine.Option(names = "--compare-test-backend-ops",
            description = "then time the step's matrix products (or --ops) with edgebench and the pinned test-backend-ops perf back"
                    + " to back, --repeats times, and print the ratios; on a GPU also edgebench timed with test-backend-ops' own"
                    + " protocol (column eb-tbo-p)")
    boolean compare;

    @CommandLine.Option(names = "--only-compare", description = "only the comparison (no JMH suite, no engine step)")
    boolean onlyCompare;

    @CommandLine.Option(names = "--repeats", paramLabel = "R", description = "comparison repeats (default ${DEFAULT-VALUE})")
    int repeats = 5;

    @CommandLine.Option(names = "--list", description = "print the step's kernels and exit")
    boolean list;

    /** @return the study the options describe @throws IllegalArgumentException naming the option at fault */
    KernelStudy.Request request() {
        if (quick && full) {
            throw new IllegalArgumentException("--quick and --full exclude each other");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, was " + threads);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, was " + repeats);
        }
        if (coldMiB < 0) {
            throw new IllegalArgumentException("--cold-mib must be 0 or more, was " + coldMiB);
        }
        return new KernelStudy.Request(model, Phase.parse(phase, batch, depth, tokens, ubatch), backend, threads, full, placement,
                coldMiB, new AttentionConfig(!noFlashAttn, kvType, kvType), ops, !noStep, !noProfile, bandwidthGBps, peakGflops,
                out, compare || onlyCompare, onlyCompare, repeats);
    }

    @Override
    public Integer call() {
        KernelStudy.Request r = request();
        String link = onlyCompare || list ? null : ForkLink.problem();
        if (link != null) {
            throw new IllegalArgumentException(link);
        }
        KernelPrinter printer = new KernelPrinter(System.out);
        KernelStudy.Plan plan;
        try {
            plan = KernelStudy.plan(r, System.err::println);
        } catch (GgufFormatException | ModelForge.ForgeException e) {
            return fail(Cli.BAD_INPUT, e.getMessage());
        } catch (IOException e) {
            return fail(Cli.BAD_INPUT, "cannot read the model: " + IoErrors.describe(e));
        }
        printer.plan(plan, r);
        if (list) {
            printer.list(plan);
            return 0;
        }
        try {
            printer.written(KernelStudy.run(r, plan, printer).json());
            return 0;
        } catch (RunnerException e) {
            return fail(1, "JMH could not run: " + e.getMessage()
                    + "\n  (another JMH run on this machine holds /tmp/jmh.lock: wait for it, or pass -Djmh.ignoreLock=true)");
        } catch (IOException e) {
            return fail(1, IoErrors.describe(e));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // a failed measurement (the engine, a native call): its message says what failed
            return fail(1, e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        }
    }

    private static int fail(int code, String message) {
        System.err.println("kernels: " + message);
        return code;
    }

    /** A ggml type name ({@link GgmlType#parse}). */
    static final class KvType implements CommandLine.ITypeConverter<GgmlType> {
        @Override
        public GgmlType convert(String v) {
            try {
                return GgmlType.parse(v);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A regular expression, its syntax error in words. */
    static final class Regex implements CommandLine.ITypeConverter<Pattern> {
        @Override
        public Pattern convert(String v) {
            try {
                return Pattern.compile(v);
            } catch (PatternSyntaxException e) {
                throw new CommandLine.TypeConversionException("not a regular expression: " + e.getDescription() + " near index "
                        + e.getIndex() + " of '" + v + "'");
            }
        }
    }
}
