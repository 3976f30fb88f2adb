package dev.edgebench.bench;

import dev.edgebench.results.RunAssembler;
import dev.edgebench.results.RunWriter;
import dev.edgebench.run.ForkProperties;
import dev.edgebench.run.PlannedBenchmark;
import dev.edgebench.run.ProfileHooks;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocuments;
import dev.edgebench.run.RunFolder;
import dev.edgebench.run.RunPlan;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Runs a {@link RunPlan} through JMH: each planned benchmark in its own JMH run (its forks
 * isolate native crashes), then the run document and summary are re-assembled from the folder
 * ({@link RunWriter}), so that a kill at any moment leaves readable results for everything already
 * measured.
 */
public final class RunExecutor {
    /** How long a run waits for another JMH run on this machine to finish before giving up. */
    static final long LOCK_WAIT_MS = 30 * 60_000L;

    private RunExecutor() {
    }

    /**
     * @throws IllegalArgumentException when JMH rejects the options given after {@code --}
     */
    public static void checkJmhArgs(List<String> jmhArgs) {
        try {
            new CommandLineOptions(jmhArgs.toArray(String[]::new));
        } catch (CommandLineOptionException e) {
            throw new IllegalArgumentException("bad JMH option after --: " + e.getMessage());
        }
    }

    /**
     * JMH options for one planned benchmark.
     *
     * @param nativeLib  the engine library folder the forks load, or null for this JVM's setting
     * @param resultFile JMH's JSON result file
     */
    public static ChainedOptionsBuilder options(RunPlan plan, PlannedBenchmark b, RunFolder folder, Path nativeLib, Path resultFile)
            throws CommandLineOptionException {
        return options(plan, b, folder, nativeLib, resultFile, ProfileHooks.NONE);
    }

    /**
     * {@link #options(RunPlan, PlannedBenchmark, RunFolder, Path, Path)} with profiling hooks: the
     * in-fork hooks' JVM arguments ({@link ProfileHooks#forkJvmArgs}) and, with
     * {@link ProfileHooks#async}, JMH's async-profiler writing flame graphs under the run folder.
     */
    public static ChainedOptionsBuilder options(RunPlan plan, PlannedBenchmark b, RunFolder folder, Path nativeLib, Path resultFile,
                                                ProfileHooks hooks) throws CommandLineOptionException {
        List<String> jvmArgs = new ArrayList<>(ForkProperties.jvmArgs(folder.dir(), nativeLib));
        jvmArgs.addAll(hooks.forkJvmArgs(folder.dir(), RunFolder.fileName(b.id())));
        CommandLineOptions parent = new CommandLineOptions(plan.options().jmhArgs().toArray(String[]::new));
        ChainedOptionsBuilder ob = new OptionsBuilder().parent(parent)
                .include("^" + Pattern.quote(b.workload().jmhBenchmark()) + "$")
                .warmupIterations(plan.options().warmups())
                .measurementIterations(b.samples())
                .forks(b.forks())
                .shouldFailOnError(false)
                .addProfiler(EdgebenchProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(resultFile.toString())
                .jvmArgsAppend(jvmArgs.toArray(String[]::new));
        if (plan.options().telemetry()) {
            ob.addProfiler(TelemetryProfiler.class);
        }
        if (hooks.async()) {
            ob.addProfiler("async", AsyncProfilerSetup.jmhOptions(ProfileHooks.asyncDir(folder.dir())));
        }
        b.params().forEach((k, v) -> ob.param(k, v));
        return ob;
    }

    /**
     * Runs every planned benchmark, writing run.json and summary.md after each, and prints the
     * summary at the end.
     *
     * @return 0 when every benchmark produced its samples, 1 otherwise
     */
    public static int execute(RunPlan plan, RunFolder folder, RunDocument header) throws IOException {
        return execute(plan, folder, header, ProfileHooks.NONE);
    }

    /** {@link #execute(RunPlan, RunFolder, RunDocument)} with profiling hooks in every fork. */
    public static int execute(RunPlan plan, RunFolder folder, RunDocument header, ProfileHooks hooks) throws IOException {
        if (hooks.jfr()) {
            // the JVM writes its recording at exit but does not make the folder
            Files.createDirectories(folder.dir().resolve(ProfileHooks.JFR_DIR));
        }
        RunDocuments.write(folder.runJson(), header);
        RunWriter.lock(folder);
        AtomicBoolean finished = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            if (finished.compareAndSet(false, true)) {
                RunWriter.finish(folder, header, "interrupted", false);
            }
        }, "edgebench-interrupted-run");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.printf(Locale.ROOT, "run: %s, %d benchmark(s), results in %s%n", folder.runId(), plan.benchmarks().size(),
                folder.dir());
        int i = 0;
        for (PlannedBenchmark b : plan.benchmarks()) {
            i++;
            System.err.printf(Locale.ROOT, "run: [%d/%d] %s%n", i, plan.benchmarks().size(), b.id());
            Path result = folder.dir().resolve("jmh").resolve(RunFolder.fileName(b.id()) + ".json");
            Files.createDirectories(result.getParent());
            try {
                runJmh(options(plan, b, folder, null, result, hooks).build(), "run", b.id());
            } catch (RunnerException | CommandLineOptionException e) {
                System.err.println("run: JMH could not run " + b.id() + ": " + e.getMessage());
                RunAssembler.writeFailure(folder, b.id(), "JMH", "JMH could not run: " + e.getMessage(), "");
            }
            if (!finished.get()) {
                RunDocuments.write(folder.runJson(), RunAssembler.assemble(folder, header, "running"));
            }
        }
        if (!finished.compareAndSet(false, true)) {
            return 1;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        return RunWriter.finish(folder, header, "complete", true);
    }

    /**
     * Runs JMH. When another JMH run holds the machine's JMH lock ({@code /tmp/jmh.lock}), waits
     * for it (up to {@link #LOCK_WAIT_MS}) rather than failing: two runs measuring at once would
     * disturb each other's numbers.
     *
     * @return JMH's results
     */
    public static java.util.Collection<org.openjdk.jmh.results.RunResult> runJmh(Options options, String who, String what)
            throws RunnerException {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
        boolean told = false;
        while (true) {
            try {
                return new Runner(options).run();
            } catch (RunnerException e) {
                if (!String.valueOf(e.getMessage()).contains("JMH lock") || System.currentTimeMillis() >= deadline) {
                    throw e;
                }
                if (!told) {
                    System.err.println(who + ": another JMH run holds this machine's JMH lock; waiting for it before " + what);
                    told = true;
                }
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
