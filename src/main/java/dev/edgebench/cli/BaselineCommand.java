package dev.edgebench.cli;

import dev.edgebench.compare.BadInputException;
import dev.edgebench.compare.Baselines;
import dev.edgebench.compare.ResultLoader;
import dev.edgebench.compare.ResultSet;
import dev.edgebench.results.RunAssembler;
import dev.edgebench.results.Stats;
import dev.edgebench.util.EdgebenchHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code baseline update RUN [RUN...] [--platform NAME] [--dir DIR] [--force]} stores a run (or
 * several runs of one build, pooled, with their run-to-run noise) as its platform's baseline ({@code results/baselines/<platform>/}, written atomically);
 * {@code baseline show [PLATFORM] [--dir DIR]} lists the baselines or shows one. Exit codes:
 * 0 done, 2 bad input.
 */
final class BaselineCommand {
    private BaselineCommand() {
    }

    static int run(String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            System.out.println(HELP);
            return argv.length == 0 ? 2 : 0;
        }
        String sub = argv[0];
        String platform = null;
        Path dir = EdgebenchHome.dir().resolve("results").resolve("baselines");
        boolean force = false;
        List<String> pos = new ArrayList<>();
        try {
            for (int i = 1; i < argv.length; i++) {
                switch (argv[i]) {
                    case "--platform" -> platform = value(argv, ++i, "--platform");
                    case "--dir" -> dir = Path.of(value(argv, ++i, "--dir"));
                    case "--force" -> force = true;
                    default -> {
                        if (argv[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + argv[i] + "; see `baseline --help`");
                        }
                        pos.add(argv[i]);
                    }
                }
            }
            return switch (sub) {
                case "update" -> {
                    if (pos.isEmpty()) {
                        throw new IllegalArgumentException("baseline update needs a run folder (or several runs of one build)");
                    }
                    Path target = Baselines.update(pos.stream().map(Path::of).toList(), dir, platform, force, gitCommit());
                    System.out.println("baseline: " + target + " now holds run " + ResultLoader.load(target).label());
                    yield 0;
                }
                case "show" -> show(dir, pos.isEmpty() ? platform : pos.get(0));
                default -> throw new IllegalArgumentException("unknown subcommand '" + sub + "'; use update or show");
            };
        } catch (IllegalArgumentException | BadInputException e) {
            System.err.println("baseline: " + e.getMessage());
            return BadInputException.EXIT_CODE;
        } catch (IOException e) {
            System.err.println("baseline: " + e);
            return BadInputException.EXIT_CODE;
        }
    }

    private static String value(String[] argv, int i, String k) {
        if (i >= argv.length) {
            throw new IllegalArgumentException(k + " needs a value");
        }
        return argv[i];
    }

    @SuppressWarnings("unchecked")
    static int show(Path dir, String platform) throws IOException, BadInputException {
        if (platform == null) {
            List<String> ps = Baselines.platforms(dir);
            if (ps.isEmpty()) {
                System.out.println("no baselines in " + dir);
                return 0;
            }
            System.out.println("| platform | run | updated | benchmarks | engine build |\n|---|---|---|---:|---|");
            for (String p : ps) {
                Map<String, Object> meta = meta(dir.resolve(p));
                System.out.println("| " + p + " | " + meta.getOrDefault("sourceRunId", "?") + " | " + meta.getOrDefault("updatedAt", "?")
                        + " | " + meta.getOrDefault("benchmarks", "?") + " | " + build(meta) + " |");
            }
            return 0;
        }
        Path b = dir.resolve(platform);
        if (!Files.isRegularFile(b.resolve("run.json"))) {
            throw new BadInputException("no baseline for platform '" + platform + "' in " + dir + "; have: " + Baselines.platforms(dir));
        }
        Map<String, Object> meta = meta(b);
        ResultSet rs = ResultLoader.load(b);
        System.out.println("baseline " + platform + ": run " + rs.label() + ", updated " + meta.getOrDefault("updatedAt", "?")
                + (meta.get("gitCommit") != null ? " at commit " + meta.get("gitCommit") : ""));
        Map<String, Object> env = (Map<String, Object>) meta.getOrDefault("environment", Map.of());
        Map<String, Object> host = (Map<String, Object>) env.getOrDefault("host", Map.of());
        System.out.println("host: " + host.get("cpuModel") + ", " + host.get("logicalCpus") + " CPUs; GPUs: " + env.get("gpus"));
        System.out.println("engine build: " + build(meta));
        if (rs.runs() > 1) {
            System.out.println("pooled runs: " + rs.runs() + " " + meta.getOrDefault("sourceRunIds", "") + "; run-to-run CV per metric in baseline.json");
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

    @SuppressWarnings("unchecked")
    private static String build(Map<String, Object> meta) {
        Map<String, Object> engine = (Map<String, Object>) meta.getOrDefault("engine", Map.of());
        Map<String, Object> b = engine.get("build") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        Map<String, Object> src = b.get("engine") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        return b.getOrDefault("name", "?") + " (" + b.getOrDefault("cpuIsa", "?") + "), " + src.getOrDefault("release", "?");
    }

    private static Map<String, Object> meta(Path b) throws IOException {
        Path f = b.resolve("baseline.json");
        return Files.isRegularFile(f) ? RunAssembler.readJson(f) : Map.of();
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

    static final String HELP = """
            baseline update RUN [RUN ...] [--platform NAME] [--dir DIR] [--force]
                store the run folder RUN as the baseline of its platform: DIR/<platform>/ (default results/baselines),
                replacing the one there atomically. The platform is derived from the run (x86_64-cpu-avx2, h100-cuda,
                jetson-orin, ...) unless --platform names it. Several runs of one build (3 or more) are pooled and their
                run-to-run noise is recorded; compare widens its intervals by it. Refuses incomplete runs, and runs of
                different builds or machines, unless --force.
            baseline show [PLATFORM] [--dir DIR]
                list the baselines, or show one: its run, environment, engine build and each benchmark's primary metric.
            """;
}
