package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgebench.bench.RunExecutor;
import dev.edgebench.bench.RunPreflight;
import dev.edgebench.results.RunWriter;
import dev.edgebench.compare.BadInputException;
import dev.edgebench.compare.ResultLoader;
import dev.edgebench.compare.ResultSet;
import dev.edgebench.model.GgufFormatException;
import dev.edgebench.model.ModelForge;
import dev.edgebench.run.PlannedBenchmark;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ab --a BUILD --b BUILD [--rounds N] [run options] [compare options]}: the same suite on
 * two engine builds (two native build folders, e.g. {@code native/build/cpu} and
 * {@code native/build/cpu-avx512}), interleaved: each round runs every benchmark once on A and
 * once on B, each in its own forked JVM loading its build ({@code -Dedgebench.native.lib}), the
 * order alternating between rounds (A B, B A, A B, ...) so that slow drift of the machine (heat,
 * other load) falls on both alike and is not confounded with the order. The two sides become two
 * ordinary run folders, {@code <ab-id>/<a-name>/} and {@code <ab-id>/<b-name>/}, and are then
 * compared with A as the baseline; the reports go to {@code <ab-id>/}. Exit codes as
 * {@code compare} (1 when B is slower than A beyond the threshold).
 *
 * <p>The host JVM loads neither build: each side's {@code engine} entry in run.json is its build
 * folder's {@code manifest.json}.
 *
 * <p>{@code ab --engine-a SPEC --engine-b SPEC} instead runs the requests workload on two streaming
 * engines of the one build (e.g. {@code llama-batched} and {@code trtllm:/engines/llama3b}), interleaved
 * the same way; the sides' benchmarks are matched by every parameter but the engine ({@link AbEngines}).
 */
@Command(name = "ab", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The same suite on two engine builds (--a/--b), or the requests workload on two streaming engines"
                + " (--engine-a/--engine-b), interleaved round by round, then compared (A is the baseline)."},
        footer = {"", "Writes results/runs/<ab-id>/<a-name>/ and <b-name>/ (ordinary run folders) and compares B against A:"
                + " compare.md, compare.html, compare.json in results/runs/<ab-id>/. Exit codes as compare."})
final class AbCommand implements Callable<Integer> {
    @Option(names = "--a", paramLabel = "BUILD",
            description = "an engine build folder (native/build/<name>, holding lib/ and manifest.json) or a library folder")
    Path dirA;
    @Option(names = "--b", paramLabel = "BUILD", description = "the other build")
    Path dirB;
    @Option(names = "--engine-a", paramLabel = "SPEC",
            description = "instead of two builds, two engines on the requests workload: A (e.g. llama, the step engine one request"
                    + " at a time, or llama-batched)")
    String engineA;
    @Option(names = "--engine-b", paramLabel = "SPEC", description = "the other engine (e.g. trtllm:/engines/llama3b)")
    String engineB;
    @Option(names = "--a-name", paramLabel = "N")
    String nameA;
    @Option(names = "--b-name", paramLabel = "N")
    String nameB;
    @Option(names = "--rounds", paramLabel = "N",
            description = "rounds (default 4); each runs every benchmark once on A and once on B, each in its own fork")
    int rounds = 4;
    @Option(names = "--order", paramLabel = "alternate|fixed", description = "alternate (default: A B, B A, ...) or fixed (A B, A B, ...)")
    String order = "alternate";
    @Option(names = "--runs-dir", paramLabel = "DIR", description = "where the ab folder goes (default results/runs)")
    Path runsDir;
    @Option(names = "--run-id", paramLabel = "ID", description = "name of the ab folder (a name, used once)")
    String runId;
    @Option(names = "--dry-run", description = "print the planned benchmark ids and exit")
    boolean dryRun;
    @Mixin
    RunArgs run = new RunArgs();
    @Mixin
    CompareOptions compare = new CompareOptions();
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, BadInputException {
        RunCommand.checkJmhArgsPosition(spec, run.jmhArgs);
        if (rounds < 2) {
            throw new IllegalArgumentException("--rounds must be at least 2 (the forks are the unit of the A/B), was " + rounds);
        }
        if (run.forks != null) {
            throw new IllegalArgumentException("--forks is not an ab option: each round runs one fork per side; use --rounds");
        }
        if (!order.equals("alternate") && !order.equals("fixed")) {
            throw new IllegalArgumentException("--order must be alternate or fixed, was '" + order + "'");
        }
        boolean alternate = order.equals("alternate");
        boolean engines = AbEngines.check(dirA, dirB, engineA, engineB, run);
        if (engines) {
            engineA = AbEngines.spec(engineA);
            engineB = AbEngines.spec(engineB);
        }
        Path libA = engines ? null : libDir(dirA);
        Path libB = engines ? null : libDir(dirB);
        String a = nameA != null ? nameA : engines ? AbEngines.name(engineA) : buildName(dirA, "a");
        String b = nameB != null ? nameB : engines ? AbEngines.name(engineB) : buildName(dirB, "b");
        if (a.equals(b)) {
            a = a + "-a";
            b = b + "-b";
        }
        run.forks = 1;
        if (engines) {
            run.engine = engineA;
        }
        RunPlan one = RunCommand.plan(run);
        // every planned benchmark gets one fork per round on each side
        RunPlan plan = one.withForks(rounds);
        RunPlan oneB = one;
        if (engines) {
            run.engine = engineB;
            oneB = RunCommand.plan(run);
        }
        RunPlan planB = oneB.withForks(rounds);
        if (runId != null) {
            RunFolder.checkId(runId);
        }
        if (dryRun) {
            plan.benchmarks().forEach(p -> System.out.println(p.id()));
            return 0;
        }
        // models forged and hashed, each side's engine checked (library, engine directory, server), before any folder
        List<RunDocument.ModelInfo> models;
        JsonNode sideA;
        JsonNode sideB;
        try {
            models = RunPreflight.models(plan);
            sideA = engines ? RunPreflight.engine(engineA) : describeBuild(libA);
            sideB = engines ? RunPreflight.engine(engineB) : describeBuild(libB);
        } catch (ModelForge.ForgeException | GgufFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        RunFolder ab = RunFolder.create(RunCommand.runsDir(runsDir), runId, "ab-" + plan.options().preset().name());
        RunFolder runA = new RunFolder(Files.createDirectory(ab.dir().resolve(RunFolder.checkId(a))));
        RunFolder runB = new RunFolder(Files.createDirectory(ab.dir().resolve(RunFolder.checkId(b))));
        String command = "ab " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        String ord = alternate ? "alternate" : "fixed";
        RunDocument headerA = RunPreflight.header(plan, runA, command, models, sideA)
                .withAb(new RunDocument.AbSide("A", a, rounds, ord, engines ? engineA : libA.toString()));
        RunDocument headerB = RunPreflight.header(planB, runB, command, models, sideB)
                .withAb(new RunDocument.AbSide("B", b, rounds, ord, engines ? engineB : libB.toString()));
        RunDocuments.write(runA.runJson(), headerA);
        RunDocuments.write(runB.runJson(), headerB);
        AtomicBoolean finished = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            if (finished.compareAndSet(false, true)) {
                RunWriter.finish(runA, headerA, "interrupted", false);
                RunWriter.finish(runB, headerB, "interrupted", false);
            }
        }, "edgebench-interrupted-ab");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.printf(Locale.ROOT, "ab: %s, %d benchmark(s) × %d rounds on A = %s (%s) and B = %s (%s), order %s; results in %s%n",
                ab.runId(), plan.benchmarks().size(), rounds, a, engines ? engineA : libA, b, engines ? engineB : libB, alternate ? "A B, B A, ..." : "A B, A B, ...", ab.dir());
        PlannedBenchmark[] oneFork = one.benchmarks().toArray(PlannedBenchmark[]::new);
        PlannedBenchmark[] oneForkB = oneB.benchmarks().toArray(PlannedBenchmark[]::new);
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < oneFork.length; i++) {
                boolean bFirst = alternate && r % 2 == 1;
                for (int s = 0; s < 2; s++) {
                    boolean isB = (s == 0) == bFirst;
                    PlannedBenchmark p = isB ? oneForkB[i] : oneFork[i];
                    RunFolder dir = isB ? runB : runA;
                    String side = isB ? b : a;
                    System.err.printf(Locale.ROOT, "ab: round %d/%d, %s on %s%n", r + 1, rounds, p.id(), side);
                    Path result = dir.dir().resolve("jmh").resolve(RunFolder.fileName(p.id()) + "-round" + (r + 1) + ".json");
                    Files.createDirectories(result.getParent());
                    try {
                        RunExecutor.runJmh(RunExecutor.options(plan, p, dir, isB ? libB : libA, result).build(), "ab",
                                p.id() + " on " + side);
                    } catch (RunnerException | CommandLineOptionException e) {
                        System.err.println("ab: JMH could not run " + p.id() + " on " + side + ": " + e.getMessage());
                    }
                }
            }
        }
        if (!finished.compareAndSet(false, true)) {
            return 1;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        if (compare.runNoise == null) {
            // both sides saw the same machine states, round by round: no run-to-run term between them
            compare.runNoise = 0.0;
        }
        compare.paired = true;
        RunWriter.finish(runA, headerA, "complete", false);
        RunWriter.finish(runB, headerB, "complete", false);
        ResultSet ra = ResultLoader.load(runA.dir());
        ResultSet rb = ResultLoader.load(runB.dir());
        if (engines) {
            // the engine is what differs: match the sides' benchmarks by every other parameter
            ra = AbEngines.withoutEngine(ra);
            rb = AbEngines.withoutEngine(rb);
        }
        return CompareCommand.compareAndReport(ra, rb, compare, ab.dir());
    }

    /** The engine entry of a side: the build folder's manifest (the host does not load the library). */
    @SuppressWarnings("unchecked")
    static JsonNode describeBuild(Path lib) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("name", "llama.cpp");
        e.put("libraryDir", lib.toString());
        Path manifest = lib.getParent() == null ? null : lib.getParent().resolve("manifest.json");
        JsonNode build = JsonNodeFactory.instance.objectNode();
        if (manifest != null && Files.isRegularFile(manifest)) {
            try {
                build = RunFolder.json().readTree(manifest.toFile());
            } catch (IOException ex) {
                build = JsonNodeFactory.instance.objectNode().put("error", "unreadable manifest.json: " + ex.getMessage());
            }
        }
        e.put("profile", build.path("profile").asText("unknown"));
        e.set("build", build);
        e.put("describedFrom", manifest != null && Files.isRegularFile(manifest) ? manifest.toString()
                : "no manifest.json beside the libraries");
        return e;
    }

    /** @return the folder holding libllama (DIR/lib or DIR itself) */
    static Path libDir(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        String llama = System.mapLibraryName("llama");
        if (Files.isRegularFile(d.resolve("lib").resolve(llama))) {
            return d.resolve("lib");
        }
        if (Files.isRegularFile(d.resolve(llama))) {
            return d;
        }
        throw new IllegalArgumentException(dir + " holds no engine build: no " + llama + " in it nor in its lib/ (build one with"
                + " native/build.sh, e.g. CPU_ISA=avx512 native/build.sh cpu)");
    }

    private static String buildName(Path dir, String dflt) {
        Path d = dir.toAbsolutePath().normalize();
        if (d.getFileName() != null && d.getFileName().toString().equals("lib") && d.getParent() != null) {
            d = d.getParent();
        }
        return d.getFileName() == null ? dflt : d.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
