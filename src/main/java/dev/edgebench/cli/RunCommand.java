package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgebench.bench.RunExecutor;
import dev.edgebench.bench.RunPreflight;
import dev.edgebench.engine.llama.NativeLibraries;
import dev.edgebench.model.GgufFormatException;
import dev.edgebench.model.Models;
import dev.edgebench.results.RunWriter;
import dev.edgebench.model.ModelForge;
import dev.edgebench.run.ForkProperties;
import dev.edgebench.run.PlannedBenchmark;
import dev.edgebench.run.ProfileHooks;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunFolder;
import dev.edgebench.run.RunPlan;
import dev.edgebench.util.EdgebenchHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code run}: a preset (or any workload) end to end. The command line becomes a validated
 * {@link RunPlan} before any long work; then models are forged and checked against the memory
 * they need, each planned benchmark runs through JMH in forked JVMs (a native crash fails one
 * benchmark, not the run), and {@code results/runs/<run-id>/} is re-assembled after each one.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a preset (or any workload) and write a run folder with run.json and summary.md.",
        footer = {"", "Exit codes: 0 ok, 1 a benchmark failed, 2 bad input (named, before any long work)."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    RunArgs args = new RunArgs();
    @Mixin
    ProfilingArgs profiling = new ProfilingArgs();
    @Option(names = "--out", paramLabel = "DIR", description = "run folders go here (default results/runs)")
    Path out;
    @Option(names = "--run-id", paramLabel = "ID", description = "name of the run folder (a name, used once)")
    String runId;
    @Option(names = "--dry-run", description = "print the planned benchmark ids and exit")
    boolean dryRun;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        checkJmhArgsPosition(spec, args.jmhArgs);
        RunPlan plan = plan(args);
        ProfileHooks hooks = profiling.hooks();
        if (runId != null) {
            RunFolder.checkId(runId);
        }
        if (dryRun) {
            plan.benchmarks().forEach(p -> System.out.println(p.id()));
            return 0;
        }
        Path runs = runsDir(out);
        RunWriter.recoverAll(runs);
        RunFolder folder = RunFolder.create(runs, runId, plan.options().preset().name());
        RunDocument header;
        try {
            List<RunDocument.ModelInfo> models = RunPreflight.models(plan);
            JsonNode engine = RunPreflight.engine(plan);
            RunPreflight.checkFit(plan, models, engine, RunPreflight.memAvailableBytes());
            header = RunPreflight.header(plan, folder, "run " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                    models, engine);
            JsonNode ceilings = RunPreflight.ceilings(plan, engine);
            if (ceilings != null) {
                header = header.withCeilings(ceilings);
            }
        } catch (IllegalArgumentException | ModelForge.ForgeException | GgufFormatException | IOException e) {
            deleteEmpty(folder);
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return RunExecutor.execute(plan, folder, header, hooks);
    }

    /** Parses and validates: everything the user typed is checked here, before any long work. */
    static RunPlan plan(RunArgs a) {
        RunPlan plan = RunPlan.of(a.toOptions());
        checkArchitectures(plan);
        String link = ForkLink.problem();
        if (link != null) {
            throw new IllegalArgumentException(link);
        }
        RunExecutor.checkJmhArgs(plan.options().jmhArgs());
        // the forks' JVM arguments, for what the system properties say about them (-Dedgebench.jit.early=maybe)
        ForkProperties.jvmArgs(null, null);
        return plan;
    }

    /**
     * Every model's architecture is one the engine build knows (the list {@code native/build.sh}
     * writes beside the libraries); checked without loading the engine. Without a build there is
     * nothing to check against: the run then fails on the missing libraries, listing where it looked.
     */
    static void checkArchitectures(RunPlan plan) {
        Path build;
        try {
            build = NativeLibraries.buildDir();
        } catch (RuntimeException e) {
            return;
        }
        for (Models.Ref r : plan.models()) {
            try {
                Models.checkArchitecture(r, build);
            } catch (IOException e) {
                throw new IllegalArgumentException("model " + r + ": " + e.getMessage(), e);
            }
        }
    }

    /** Positional arguments are JMH's and come after {@code --}: anything before it is a mistake. */
    static void checkJmhArgsPosition(CommandSpec spec, List<String> jmhArgs) {
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        int dash = original.indexOf("--");
        int after = dash < 0 ? 0 : original.size() - dash - 1;
        if (jmhArgs.size() > after) {
            throw new IllegalArgumentException("unexpected argument '" + jmhArgs.get(0) + "'; JMH options go after --");
        }
    }

    /** @return where run folders go */
    static Path runsDir(Path out) {
        return (out != null ? out : EdgebenchHome.dir().resolve("results").resolve("runs")).toAbsolutePath().normalize();
    }

    private static void deleteEmpty(RunFolder folder) {
        try {
            java.nio.file.Files.deleteIfExists(folder.dir());
        } catch (IOException e) {
            // not empty: it holds something worth keeping
        }
    }

    /** @return the planned benchmark ids (for tests) */
    static List<String> ids(RunPlan plan) {
        return plan.benchmarks().stream().map(PlannedBenchmark::id).toList();
    }
}
