package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgebench.bench.RunExecutor;
import dev.edgebench.bench.RunPreflight;
import dev.edgebench.model.GgufFormatException;
import dev.edgebench.model.ModelForge;
import dev.edgebench.results.RunWriter;
import dev.edgebench.results.ServerCostReport;
import dev.edgebench.run.PlannedBenchmark;
import dev.edgebench.run.RequestLoad;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocuments;
import dev.edgebench.run.RunFolder;
import dev.edgebench.run.RunPlan;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code server-cost [run options]}: what a server costs, measured. The same model and request
 * shape through three engines, interleaved round by round (the order rotating): the step engine
 * ({@code generation}, one sequence: the floor), the in-process request engine
 * ({@code llama-batched}) and llama-server, built with the engine and started by edgebench on
 * 127.0.0.1 ({@code llama-server}), each at every {@code --concurrency} (default 1,4; the step
 * engine at 1). Each engine's results are an ordinary run folder, {@code <id>/step/},
 * {@code <id>/llama-batched/}, {@code <id>/llama-server/}; the report ({@link ServerCostReport})
 * goes to {@code <id>/server-cost.md} and to the terminal.
 */
@Command(name = "server-cost", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"What a server costs: the step engine, llama-batched (in-process) and llama-server (started here on"
                + " 127.0.0.1), same model and requests, interleaved round by round; TTFT, time per token and E2E, and what"
                + " each layer adds, with 95% CIs."},
        footer = {"", "Defaults: --concurrency 1,4, --requests 8, --samples 3, --warmup 1, --rounds 3. Writes results/runs/<id>/step/,"
                + " llama-batched/, llama-server/ (ordinary run folders) and server-cost.md. Exit codes: 0 ok, 1 an engine failed,"
                + " 2 bad input."})
final class ServerCostCommand implements Callable<Integer> {
    @Option(names = "--rounds", paramLabel = "N", description = "rounds (default 3); each runs every engine once, each in its own fork")
    int rounds = 3;
    @Option(names = "--runs-dir", paramLabel = "DIR", description = "where the folder goes (default results/runs)")
    Path runsDir;
    @Option(names = "--run-id", paramLabel = "ID", description = "name of the folder (a name, used once)")
    String runId;
    @Option(names = "--dry-run", description = "print the planned benchmark ids and exit")
    boolean dryRun;
    @Mixin
    RunArgs run = new RunArgs();
    @Spec
    CommandSpec spec;

    /** One engine's plan and where its results go. */
    private record Side(String name, RunPlan one, RunPlan plan, JsonNode engine) {
    }

    @Override
    public Integer call() throws IOException {
        RunCommand.checkJmhArgsPosition(spec, run.jmhArgs);
        if (rounds < 2) {
            throw new IllegalArgumentException("--rounds must be at least 2 (each round runs every engine once), was " + rounds);
        }
        if (run.forks != null) {
            throw new IllegalArgumentException("--forks is not a server-cost option: each round runs one fork per engine; use --rounds");
        }
        if (!RequestLoad.STEP_ENGINE.equals(run.engine)) {
            throw new IllegalArgumentException("--engine is not a server-cost option: it runs the step engine, llama-batched and"
                    + " llama-server");
        }
        if (run.benchmarks != null || run.batches != null) {
            throw new IllegalArgumentException("--benchmarks and --batch are not server-cost options: the workloads are fixed"
                    + " (generation for the step engine, requests for the others; --concurrency sets the load)");
        }
        List<Integer> concurrencies = run.concurrencies != null ? List.copyOf(run.concurrencies) : List.of(1, 4);
        Integer requests = run.requests != null ? run.requests : 8;
        if (run.samples == null) {
            run.samples = 3;
        }
        if (run.warmups == null) {
            run.warmups = 1;
        }
        run.forks = 1;
        List<Side> sides = new ArrayList<>();
        if (concurrencies.contains(1)) {
            run.benchmarks = List.of("generation");
            run.concurrencies = null;
            run.requests = null;
            RunPlan one = RunCommand.plan(run);
            sides.add(new Side(ServerCostReport.STEP, one, one.withForks(rounds), null));
            run.benchmarks = null;
        }
        for (String engine : List.of(ServerCostReport.BATCHED, ServerCostReport.SERVER)) {
            run.engine = engine;
            run.concurrencies = concurrencies;
            run.requests = requests;
            RunPlan one = RunCommand.plan(run);
            sides.add(new Side(engine, one, one.withForks(rounds), null));
        }
        run.engine = RequestLoad.STEP_ENGINE;
        if (runId != null) {
            RunFolder.checkId(runId);
        }
        if (dryRun) {
            sides.forEach(s -> s.one().benchmarks().forEach(p -> System.out.println(s.name() + " " + p.id())));
            return 0;
        }
        // models forged and hashed, every engine checked and the fit with it, before any folder
        List<RunDocument.ModelInfo> models;
        List<Side> checked = new ArrayList<>();
        try {
            models = RunPreflight.models(sides.getFirst().plan());
            for (Side s : sides) {
                JsonNode engine = s.name().equals(ServerCostReport.STEP) ? RunPreflight.engine() : RunPreflight.engine(s.name());
                RunPreflight.checkFit(s.plan(), models, engine, RunPreflight.memAvailableBytes());
                checked.add(new Side(s.name(), s.one(), s.plan(), engine));
            }
        } catch (ModelForge.ForgeException | GgufFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        RunFolder root = RunFolder.create(RunCommand.runsDir(runsDir), runId, "server-cost");
        String command = "server-cost " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        List<RunFolder> folders = new ArrayList<>();
        List<RunDocument> headers = new ArrayList<>();
        for (Side s : checked) {
            RunFolder f = new RunFolder(Files.createDirectory(root.dir().resolve(RunFolder.checkId(s.name()))));
            RunDocument h = RunPreflight.header(s.plan(), f, command, models, s.engine());
            RunDocuments.write(f.runJson(), h);
            folders.add(f);
            headers.add(h);
        }
        AtomicBoolean finished = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            if (finished.compareAndSet(false, true)) {
                for (int i = 0; i < folders.size(); i++) {
                    RunWriter.finish(folders.get(i), headers.get(i), "interrupted", false);
                }
            }
        }, "edgebench-interrupted-server-cost");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.printf(Locale.ROOT, "server-cost: %s, %d rounds of %s at concurrency %s; results in %s%n", root.runId(), rounds,
                String.join(", ", checked.stream().map(Side::name).toList()), concurrencies, root.dir());
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < checked.size(); k++) {
                int i = (k + r) % checked.size();     // the order rotates: each engine runs first, second, ... in turn
                Side s = checked.get(i);
                RunFolder dir = folders.get(i);
                for (PlannedBenchmark p : s.one().benchmarks()) {
                    System.err.printf(Locale.ROOT, "server-cost: round %d/%d, %s %s%n", r + 1, rounds, s.name(), p.id());
                    Path result = dir.dir().resolve("jmh").resolve(RunFolder.fileName(p.id()) + "-round" + (r + 1) + ".json");
                    Files.createDirectories(result.getParent());
                    try {
                        RunExecutor.runJmh(RunExecutor.options(s.plan(), p, dir, null, result).build(), "server-cost",
                                p.id() + " on " + s.name());
                    } catch (RunnerException | CommandLineOptionException e) {
                        System.err.println("server-cost: JMH could not run " + p.id() + " on " + s.name() + ": " + e.getMessage());
                    }
                }
            }
        }
        if (!finished.compareAndSet(false, true)) {
            return 1;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        int rc = 0;
        RunDocument[] done = new RunDocument[3];
        for (int i = 0; i < folders.size(); i++) {
            rc = Math.max(rc, RunWriter.finish(folders.get(i), headers.get(i), "complete", false));
            RunDocument d = RunDocuments.read(folders.get(i).runJson());
            switch (checked.get(i).name()) {
                case ServerCostReport.STEP -> done[0] = d;
                case ServerCostReport.BATCHED -> done[1] = d;
                default -> done[2] = d;
            }
        }
        String report = ServerCostReport.markdown(done[0], done[1], done[2], concurrencies);
        Files.writeString(root.dir().resolve("server-cost.md"), report, StandardCharsets.UTF_8);
        System.out.println(report);
        System.out.println("server-cost: run folders and server-cost.md in " + root.dir());
        return rc;
    }
}
