package dev.edgebench.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.compare.BadInputException;
import dev.edgebench.compare.Baselines;
import dev.edgebench.compare.ResultLoader;
import dev.edgebench.compare.ResultSet;
import dev.edgebench.results.Stats;
import dev.edgebench.util.EdgebenchHome;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code baseline update RUN [RUN...] [--platform NAME] [--dir DIR] [--force]} stores a run (or
 * several runs of one build, pooled, with their run-to-run noise) as its platform's baseline
 * ({@code results/baselines/<platform>/}, written atomically); {@code baseline show [PLATFORM]
 * [--dir DIR]} lists the baselines or shows one. Exit codes: 0 done, 2 bad input (also when no
 * subcommand is given).
 */
@CommandLine.Command(name = "baseline", mixinStandardHelpOptions = true,
        description = "Stores and shows the baselines, one per platform (results/baselines/<platform>/).",
        subcommands = {BaselineCommand.Update.class, BaselineCommand.Show.class},
        footer = {"", "Exit codes: 0 done; 2 bad input (a missing or unusable run, a bad platform name, no subcommand)."})
public final class BaselineCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No subcommand: the usage, and bad input. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Cli.BAD_INPUT;
    }

    static Path defaultDir() {
        return EdgebenchHome.dir().resolve("results").resolve("baselines");
    }

    /** {@code baseline update}. */
    @CommandLine.Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Stores the run folder RUN as the baseline of its platform: DIR/<platform>/, replacing the one there"
                    + " atomically. The platform is derived from the run (x86_64-cpu-avx2, h100-cuda, jetson-orin, ...) unless"
                    + " --platform names it.",
                    "Several runs of one build (3 or more) are pooled and their run-to-run noise is recorded; compare widens its"
                            + " intervals by it. Refuses incomplete runs, and runs of different builds or machines, unless --force."})
    static final class Update implements Callable<Integer> {
        @CommandLine.Parameters(arity = "1..*", paramLabel = "RUN", description = "run folder(s) of one build")
        List<Path> runs;

        @CommandLine.Option(names = "--platform", paramLabel = "NAME", converter = PlatformName.class,
                description = "the platform's name (default: derived from the run)")
        String platform;

        @CommandLine.Option(names = "--dir", paramLabel = "DIR", description = "the baselines folder (default results/baselines)")
        Path dir = defaultDir();

        @CommandLine.Option(names = "--force", description = "store incomplete runs, or pool runs of different builds or machines")
        boolean force;

        @Override
        public Integer call() throws BadInputException {
            try {
                Path target = Baselines.update(runs, dir, platform, force, gitCommit());
                System.out.println("baseline: " + target + " now holds run " + ResultLoader.load(target).label());
                return 0;
            } catch (IOException e) {
                System.err.println("baseline: cannot store the baseline in " + dir + ": " + IoErrors.describe(e));
                return Cli.BAD_INPUT;
            }
        }
    }

    /** {@code baseline show}. */
    @CommandLine.Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists the baselines, or shows one: its run, environment, engine build and each benchmark's primary metric.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Parameters(arity = "0..1", paramLabel = "PLATFORM", converter = PlatformName.class,
                description = "the platform to show (default: list them all)")
        String platform;

        @CommandLine.Option(names = "--platform", paramLabel = "NAME", converter = PlatformName.class,
                description = "the same as PLATFORM")
        String platformOption;

        @CommandLine.Option(names = "--dir", paramLabel = "DIR", description = "the baselines folder (default results/baselines)")
        Path dir = defaultDir();

        @Override
        public Integer call() throws BadInputException {
            try {
                return show(dir, platform != null ? platform : platformOption);
            } catch (IOException e) {
                System.err.println("baseline: cannot read the baselines in " + dir + ": " + IoErrors.describe(e));
                return Cli.BAD_INPUT;
            }
        }
    }

    /**
     * A platform is a folder name under the baselines folder, never a path: refuses empty names,
     * names of dots only ({@code .}, {@code ..}) and names with a path separator.
     */
    static final class PlatformName implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (v.isBlank() || v.matches("\\.+") || v.contains("/") || v.contains("\\") || v.indexOf('\0') >= 0) {
                throw new CommandLine.TypeConversionException("a platform is a name (e.g. x86_64-cpu-avx2, h100-cuda), not a path;"
                        + " was '" + v + "'");
            }
            return v;
        }
    }

    /** What {@code baseline show} reads from baseline.json; absent fields are null. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Meta(String sourceRunId, List<String> sourceRunIds, String updatedAt, String gitCommit, Integer benchmarks,
                Environment environment, Engine engine) {
        static final Meta NONE = new Meta(null, null, null, null, null, null, null);

        String build() {
            Build b = engine == null || engine.build() == null ? new Build(null, null, null) : engine.build();
            return or(b.name()) + " (" + or(b.cpuIsa()) + "), " + or(b.engine() == null ? null : b.engine().release());
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Environment(Host host, List<Gpu> gpus) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Host(String cpuModel, Integer logicalCpus) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Gpu(String name) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Engine(Build build) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Build(String name, String cpuIsa, Source engine) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Source(String release) {
    }

    private static String or(Object v) {
        return v == null ? "?" : v.toString();
    }

    static int show(Path dir, String platform) throws IOException, BadInputException {
        if (platform == null) {
            List<String> ps = Baselines.platforms(dir);
            if (ps.isEmpty()) {
                System.out.println("no baselines in " + dir);
                return 0;
            }
            System.out.println("| platform | run | updated | benchmarks | engine build |\n|---|---|---|---:|---|");
            for (String p : ps) {
                Meta meta = meta(dir.resolve(p));
                System.out.println("| " + p + " | " + or(meta.sourceRunId()) + " | " + or(meta.updatedAt()) + " | "
                        + or(meta.benchmarks()) + " | " + meta.build() + " |");
            }
            return 0;
        }
        Path b = dir.resolve(platform);
        if (!Files.isRegularFile(b.resolve("run.json"))) {
            throw new BadInputException("no baseline for platform '" + platform + "' in " + dir + "; have: " + Baselines.platforms(dir));
        }
        Meta meta = meta(b);
        ResultSet rs = ResultLoader.load(b);
        System.out.println("baseline " + platform + ": run " + rs.label() + ", updated " + or(meta.updatedAt())
                + (meta.gitCommit() != null ? " at commit " + meta.gitCommit() : ""));
        Environment env = meta.environment() == null ? new Environment(null, null) : meta.environment();
        Host host = env.host() == null ? new Host(null, null) : env.host();
        System.out.println("host: " + host.cpuModel() + ", " + host.logicalCpus() + " CPUs; GPUs: "
                + (env.gpus() == null || env.gpus().isEmpty() ? "none" : String.join(", ", env.gpus().stream().map(g -> or(g.name())).toList())));
        System.out.println("engine build: " + meta.build());
        if (rs.runs() > 1) {
            System.out.println("pooled runs: " + rs.runs() + " " + (meta.sourceRunIds() == null ? "" : meta.sourceRunIds())
                    + "; run-to-run CV per metric in baseline.json");
        }
        System.out.println("\n| benchmark | metric | mean ± 95% CI | CV | samples |\n|---|---|---:|---:|---:|");
        for (ResultSet.Bench x : rs.benchmarks().values()) {
            ResultSet.Metric m = x.metrics().get(x.primary());
            if (m == null) {
                System.out.println("| `" + x.id() + "` | — | " + x.status() + " | | |");
                continue;
            }
            Stats s = Stats.of(m.values());
            System.out.printf(Locale.ROOT, "| `%s` | %s (%s) | %.4g ± %.2g | %.1f%% | %d |%n", x.id(), m.name(), m.unit(), s.mean(),
                    s.ciHalfWidth(), s.cv() * 100, s.n());
        }
        return 0;
    }

    private static Meta meta(Path b) throws BadInputException {
        Path f = b.resolve("baseline.json");
        if (!Files.isRegularFile(f)) {
            return Meta.NONE;
        }
        try {
            return new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(f.toFile(), Meta.class);
        } catch (IOException e) {
            throw new BadInputException(f + " is not a readable baseline.json: " + e.getMessage(), e);
        }
    }

    /** @return the project's git commit, or null outside a checkout */
    static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "-C", EdgebenchHome.dir().toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            String s = new String(p.getInputStream().readAllBytes()).trim();
            return s.matches("[0-9a-f]{40}") ? s : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
