package dev.edgebench.cli;

import dev.edgebench.compare.BadInputException;
import dev.edgebench.compare.ResultLoader;
import dev.edgebench.compare.ResultSet;
import dev.edgebench.model.GgufFormatException;
import dev.edgebench.model.ModelForge;
import dev.edgebench.model.Models;
import dev.edgebench.results.RunAssembler;
import dev.edgebench.util.EdgebenchHome;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 */
final class AbCommand {
    private AbCommand() {
    }

    static int run(String[] argv) {
        if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.out.println(HELP);
            return 0;
        }
        Path dirA = null;
        Path dirB = null;
        String nameA = null;
        String nameB = null;
        int rounds = 4;
        boolean alternate = true;
        CompareCommand.Options co = new CompareCommand.Options();
        List<String> runArgs = new ArrayList<>();
        RunCommand.Args a;
        List<Models.Ref> refs;
        List<Map<String, Object>> plan;
        Path libA;
        Path libB;
        try {
            int[] i = {0};
            for (; i[0] < argv.length; i[0]++) {
                String k = argv[i[0]];
                if (k.equals("--")) {
                    for (int j = i[0]; j < argv.length; j++) {
                        runArgs.add(argv[j]);
                    }
                    break;
                }
                switch (k) {
                    case "--a" -> dirA = Path.of(value(argv, ++i[0], k));
                    case "--b" -> dirB = Path.of(value(argv, ++i[0], k));
                    case "--a-name" -> nameA = value(argv, ++i[0], k);
                    case "--b-name" -> nameB = value(argv, ++i[0], k);
                    case "--rounds" -> rounds = Integer.parseInt(value(argv, ++i[0], k));
                    case "--order" -> {
                        String v = value(argv, ++i[0], k);
                        if (!v.equals("alternate") && !v.equals("fixed")) {
                            throw new IllegalArgumentException("--order must be alternate (A B, B A, ...) or fixed (A B, A B, ...)");
                        }
                        alternate = v.equals("alternate");
                    }
                    case "--out", "--forks" -> throw new IllegalArgumentException(k.equals("--forks")
                            ? "ab runs one fork per side per round: use --rounds" : "ab writes into results/runs/<ab-id>: use --run-id or --runs-dir");
                    case "--runs-dir" -> runArgs.addAll(List.of("--out", value(argv, ++i[0], k)));
                    default -> {
                        if (!co.accept(k, argv, i)) {
                            runArgs.add(k);
                        }
                    }
                }
            }
            if (dirA == null || dirB == null) {
                throw new IllegalArgumentException("ab needs --a and --b: two engine build folders (native/build/<name>) or library folders");
            }
            if (rounds < 2) {
                throw new IllegalArgumentException("--rounds must be at least 2 (the forks are the unit of the A/B), was " + rounds);
            }
            libA = libDir(dirA);
            libB = libDir(dirB);
            nameA = nameA != null ? nameA : buildName(dirA, "a");
            nameB = nameB != null ? nameB : buildName(dirB, "b");
            if (nameA.equals(nameB)) {
                nameA = nameA + "-a";
                nameB = nameB + "-b";
            }
            a = RunCommand.parse(runArgs.toArray(String[]::new));
            a.forks = 1;
            refs = RunCommand.validate(a);
            plan = RunCommand.plan(a);
            for (Map<String, Object> p : plan) {
                p.put("forks", rounds);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("ab: " + e.getMessage());
            return BadInputException.EXIT_CODE;
        }
        if (a.dryRun) {
            plan.forEach(p -> System.out.println(p.get("id")));
            return 0;
        }
        String abId = a.runId != null ? a.runId
                : DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + "-ab-" + a.preset.name();
        Path abDir = (a.out != null ? a.out : EdgebenchHome.dir().resolve("results").resolve("runs")).resolve(abId).toAbsolutePath().normalize();
        Path runA = abDir.resolve(nameA);
        Path runB = abDir.resolve(nameB);
        List<Map<String, Object>> modelInfo;
        try {
            Files.createDirectories(runA);
            Files.createDirectories(runB);
            modelInfo = RunCommand.modelInfo(a, refs);
        } catch (IllegalArgumentException | ModelForge.ForgeException | GgufFormatException | IOException e) {
            System.err.println("ab: " + e.getMessage());
            return BadInputException.EXIT_CODE;
        }
        String command = "ab " + String.join(" ", argv);
        Map<String, Object> headerA = side(a, command, abId + "/" + nameA, modelInfo, plan, libA, "A", nameA, rounds, alternate);
        Map<String, Object> headerB = side(a, command, abId + "/" + nameB, modelInfo, plan, libB, "B", nameB, rounds, alternate);
        try {
            RunAssembler.writeJson(runA.resolve("run.json"), headerA);
            RunAssembler.writeJson(runB.resolve("run.json"), headerB);
        } catch (IOException e) {
            System.err.println("ab: cannot write into " + abDir + ": " + e.getMessage());
            return BadInputException.EXIT_CODE;
        }
        AtomicBoolean finished = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            if (finished.compareAndSet(false, true)) {
                RunCommand.finish(runA, headerA, "interrupted");
                RunCommand.finish(runB, headerB, "interrupted");
            }
        }, "edgebench-interrupted-ab");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.printf(Locale.ROOT, "ab: %s, %d benchmark(s) × %d rounds on A = %s (%s) and B = %s (%s), order %s; results in %s%n",
                abId, plan.size(), rounds, nameA, libA, nameB, libB, alternate ? "A B, B A, ..." : "A B, A B, ...", abDir);
        outer:
        for (int r = 0; r < rounds; r++) {
            for (String bench : RunCommand.benchmarks(a)) {
                boolean bFirst = alternate && r % 2 == 1;
                for (int s = 0; s < 2; s++) {
                    boolean isB = (s == 0) == bFirst;
                    Path dir = isB ? runB : runA;
                    System.err.printf(Locale.ROOT, "ab: round %d/%d, %s on %s%n", r + 1, rounds, bench, isB ? nameB : nameA);
                    try {
                        runFork(RunCommand.options(a, bench, dir, isB ? libB : libA, "jmh-" + bench + "-round" + (r + 1) + ".json")
                                .build(), bench + " on " + (isB ? nameB : nameA));
                    } catch (RunnerException e) {
                        System.err.println("ab: JMH could not run " + bench + " on " + (isB ? nameB : nameA) + ": " + e.getMessage());
                    } catch (CommandLineOptionException e) {
                        System.err.println("ab: bad JMH option: " + e.getMessage());
                        break outer;
                    }
                }
            }
        }
        if (!finished.compareAndSet(false, true)) {
            return 1;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        if (co.runNoise == null) {
            // both sides saw the same machine states, round by round: no run-to-run term between them
            co.runNoise = 0.0;
        }
        co.paired = true;
        RunCommand.finish(runA, headerA, "complete");
        RunCommand.finish(runB, headerB, "complete");
        try {
            ResultSet ra = ResultLoader.load(runA);
            ResultSet rb = ResultLoader.load(runB);
            return CompareCommand.compareAndReport(ra, rb, co, abDir);
        } catch (BadInputException e) {
            System.err.println("ab: " + e.getMessage());
            return BadInputException.EXIT_CODE;
        }
    }

    /** Runs one fork, waiting for another JMH run on this machine (see {@link RunCommand#runJmh}). */
    private static void runFork(org.openjdk.jmh.runner.options.Options options, String what) throws RunnerException {
        RunCommand.runJmh(options, "ab", what);
    }

    private static Map<String, Object> side(RunCommand.Args a, String command, String runId, List<Map<String, Object>> models,
                                            List<Map<String, Object>> plan, Path lib, String side, String name, int rounds,
                                            boolean alternate) {
        Map<String, Object> h = RunCommand.header(a, command, runId, models, plan);
        @SuppressWarnings("unchecked")
        Map<String, Object> preset = (Map<String, Object>) h.get("preset");
        preset.put("forks", rounds);
        h.put("engine", describeBuild(lib));
        Map<String, Object> ab = new LinkedHashMap<>();
        ab.put("side", side);
        ab.put("name", name);
        ab.put("rounds", rounds);
        ab.put("order", alternate ? "alternate" : "fixed");
        ab.put("libraryDir", lib.toString());
        h.put("ab", ab);
        return h;
    }

    /** The engine entry of a side: the build folder's manifest (the host does not load the library). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> describeBuild(Path lib) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", "llama.cpp");
        e.put("libraryDir", lib.toString());
        Path manifest = lib.getParent() == null ? null : lib.getParent().resolve("manifest.json");
        Map<String, Object> build = Map.of();
        if (manifest != null && Files.isRegularFile(manifest)) {
            try {
                build = RunAssembler.readJson(manifest);
            } catch (IOException ex) {
                build = Map.of("error", "unreadable manifest.json: " + ex.getMessage());
            }
        }
        e.put("profile", build.getOrDefault("profile", "unknown"));
        e.put("build", build);
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

    private static String value(String[] argv, int i, String k) {
        if (i >= argv.length) {
            throw new IllegalArgumentException(k + " needs a value");
        }
        return argv[i];
    }

    static final String HELP = """
            ab --a BUILD --b BUILD [--a-name N] [--b-name N] [--rounds N] [--order alternate|fixed] [run options] [compare options]
              BUILD               an engine build folder (native/build/<name>, holding lib/ and manifest.json) or a library folder
              --rounds N          rounds (default 4); each runs every benchmark once on A and once on B, each in its own fork
              --order             alternate (default: A B, B A, A B, ...) or fixed (A B, A B, ...)
              --runs-dir DIR      where the ab folder goes (default results/runs)
              run options         as `run` (--preset, --model, --benchmarks, --batch, --samples, --warmup, ...; not --forks)
              compare options     as `compare` (--threshold, --metrics, --statistic, ...)
            Writes results/runs/<ab-id>/<a-name>/ and <b-name>/ (ordinary run folders) and compares B against A:
            compare.md, compare.html, compare.json in results/runs/<ab-id>/. Exit codes as compare.
            """;
}
