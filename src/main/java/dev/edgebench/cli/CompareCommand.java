package dev.edgebench.cli;

import dev.edgebench.compare.BadInputException;
import dev.edgebench.compare.Bootstrap;
import dev.edgebench.compare.CompareConfig;
import dev.edgebench.compare.Comparer;
import dev.edgebench.compare.Comparison;
import dev.edgebench.compare.HtmlReport;
import dev.edgebench.compare.JsonReport;
import dev.edgebench.compare.MarkdownReport;
import dev.edgebench.compare.ResultLoader;
import dev.edgebench.compare.ResultSet;
import dev.edgebench.results.RunAssembler;
import dev.edgebench.util.EdgebenchHome;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code compare BASELINE CURRENT}: matches the two result sets by benchmark id, compares each
 * match with a bootstrap confidence interval and a threshold, prints the markdown report, writes
 * compare.md, compare.html and compare.json, and exits 0 (no regression), 1 (a regression beyond
 * the threshold, or a benchmark that failed in the current run), 2 (bad input: missing, empty,
 * corrupt or other-schema files, nothing in common, bad options).
 */
final class CompareCommand {
    private CompareCommand() {
    }

    /** Parsed options shared with {@code ab}. */
    static final class Options {
        Double threshold;
        Double latencyThreshold;
        Double maxCv;
        Double runNoise;
        Path config;
        String suite;
        List<String> metrics;
        Bootstrap.Statistic statistic;
        Boolean gateLatency;
        int resamples = Bootstrap.DEFAULT_RESAMPLES;
        long seed = Bootstrap.DEFAULT_SEED;
        Path out;
        boolean html = true;
        boolean paired;
        boolean quiet;
        List<String> positional = new ArrayList<>();

        /** @return true when the option was one of compare's (consuming its value), false when unknown */
        boolean accept(String k, String[] argv, int[] i) {
            switch (k) {
                case "--no-html" -> html = false;
                case "--paired" -> paired = true;
                case "--quiet" -> quiet = true;
                case "--no-latency-gate" -> gateLatency = false;
                case "--latency-gate" -> gateLatency = true;
                case "--threshold", "--latency-threshold", "--max-cv", "--run-noise", "--config", "--suite", "--metrics", "--statistic",
                     "--resamples", "--seed",
                     "--out" -> {
                    if (i[0] + 1 >= argv.length) {
                        throw new IllegalArgumentException(k + " needs a value");
                    }
                    String v = argv[++i[0]];
                    switch (k) {
                        case "--threshold" -> threshold = CompareConfig.parseThreshold(v);
                        case "--latency-threshold" -> latencyThreshold = CompareConfig.parseThreshold(v);
                        case "--run-noise" -> {
                            String t = v.trim();
                            runNoise = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
                            if (!(runNoise >= 0 && runNoise < 1)) {
                                throw new IllegalArgumentException("--run-noise must be a CV in [0, 1), e.g. 3%, was '" + v + "'");
                            }
                        }
                        case "--max-cv" -> {
                            String t = v.trim();
                            maxCv = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
                            if (!(maxCv > 0)) {
                                throw new IllegalArgumentException("--max-cv must be positive, e.g. 25%, was '" + v + "'");
                            }
                        }
                        case "--config" -> config = Path.of(v);
                        case "--suite" -> suite = v;
                        case "--metrics" -> metrics = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                        case "--statistic" -> {
                            try {
                                statistic = Bootstrap.Statistic.valueOf(v.toUpperCase(Locale.ROOT));
                            } catch (IllegalArgumentException e) {
                                throw new IllegalArgumentException("--statistic must be mean or median, was '" + v + "'");
                            }
                        }
                        case "--resamples" -> {
                            resamples = Integer.parseInt(v);
                            if (resamples < 100) {
                                throw new IllegalArgumentException("--resamples must be at least 100, was " + v);
                            }
                        }
                        case "--seed" -> seed = Long.parseLong(v);
                        case "--out" -> out = Path.of(v);
                        default -> throw new IllegalStateException(k);
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** The suite settings: config file (given, or results/compare.json), suite by name, then the options on top. */
        CompareConfig.Suite resolveSuite(ResultSet current) throws BadInputException {
            Path cfg = config;
            if (cfg == null) {
                Path dflt = EdgebenchHome.dir().resolve("results").resolve("compare.json");
                cfg = Files.isRegularFile(dflt) ? dflt : null;
            } else if (!Files.isRegularFile(cfg)) {
                throw new BadInputException("compare config " + cfg + " does not exist");
            }
            CompareConfig c = cfg == null ? CompareConfig.defaults() : CompareConfig.load(cfg);
            CompareConfig.Suite s = c.suite(suite != null ? suite : current.suite());
            s = s.withThreshold(threshold, latencyThreshold);
            if (metrics != null) {
                s = s.withMetrics(metrics);
            }
            if (statistic != null) {
                s = s.withStatistic(statistic);
            }
            if (gateLatency != null) {
                s = s.withGateLatency(gateLatency);
            }
            if (maxCv != null) {
                s = s.withMaxCv(maxCv);
            }
            return s;
        }
    }

    static int run(String[] argv) {
        if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.out.println(HELP);
            return 0;
        }
        Options o = new Options();
        try {
            int[] i = {0};
            for (; i[0] < argv.length; i[0]++) {
                String k = argv[i[0]];
                if (k.startsWith("--")) {
                    if (!o.accept(k, argv, i)) {
                        throw new IllegalArgumentException("unknown option " + k + "; see `compare --help`");
                    }
                } else {
                    o.positional.add(k);
                }
            }
            if (o.positional.size() != 2) {
                throw new IllegalArgumentException("compare needs two inputs, BASELINE and CURRENT (got " + o.positional.size() + ");"
                        + " see `compare --help`");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("compare: " + e.getMessage());
            return BadInputException.EXIT_CODE;
        }
        try {
            ResultSet base = ResultLoader.load(Path.of(o.positional.get(0)));
            ResultSet cur = ResultLoader.load(Path.of(o.positional.get(1)));
            Path out = o.out;
            if (out == null) {
                Path c = Path.of(o.positional.get(1));
                out = (Files.isDirectory(c) ? c : cur.source().toAbsolutePath().getParent()).resolve("compare");
            }
            return compareAndReport(base, cur, o, out);
        } catch (BadInputException e) {
            System.err.println("compare: " + e.getMessage());
            return BadInputException.EXIT_CODE;
        }
    }

    /** Compares, prints the markdown (unless quiet), writes the reports into {@code out}. @return the exit code */
    static int compareAndReport(ResultSet base, ResultSet cur, Options o, Path out) throws BadInputException {
        CompareConfig.Suite suite = o.resolveSuite(cur);
        Comparison c = Comparer.compare(base, cur, suite, o.resamples, o.seed, o.runNoise, o.paired);
        String md = MarkdownReport.render(c);
        try {
            Files.createDirectories(out);
            writeAtomically(out.resolve("compare.md"), md);
            RunAssembler.writeJson(out.resolve("compare.json"), JsonReport.document(c));
            if (o.html) {
                writeAtomically(out.resolve("compare.html"), HtmlReport.render(c));
            }
        } catch (IOException e) {
            throw new BadInputException("cannot write the reports into " + out + ": " + e.getMessage(), e);
        }
        if (!o.quiet) {
            System.out.println(md);
        }
        System.err.println("compare: " + c.headline() + "; reports in " + out.toAbsolutePath().normalize()
                + (o.html ? " (compare.md, compare.html, compare.json)" : " (compare.md, compare.json)") + "; exit code " + c.exitCode());
        return c.exitCode();
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static final String HELP = """
            compare BASELINE CURRENT [options]
              BASELINE, CURRENT      a run folder (results/runs/<id>), a baseline folder (results/baselines/<platform>),
                                     a run.json, or a JMH JSON result file (-rf json); matched by benchmark id
              --threshold T          relative change that counts for throughput metrics: 5% (default) or 0.05
              --latency-threshold T  the same for latency percentiles (default 10%)
              --config FILE          thresholds per suite (default: results/compare.json when present)
              --suite NAME           the config's suite to use (default: the current run's preset; jmh for JMH files)
              --metrics LIST         primary (default: prefill.tok_s, decode.tok_s, JMH score), all, or metric names
              --statistic S          mean (default) or median
              --no-latency-gate      report latency percentiles but do not fail on them
              --max-cv C             noise guard: no verdict (too noisy) when a side's robust CV exceeds C (default 25%)
              --run-noise CV         run-to-run noise to fold into the intervals (default: what the baseline recorded
                                     from its pooled runs, else the suite's runToRunCv; ab uses 0: it interleaves)
              --paired               the sides are an interleaved A/B (fork i of each from round i): compare round by round
              --resamples N          bootstrap replicates (default 10000)   --seed N   bootstrap seed
              --out DIR              where compare.md/.html/.json go (default: <CURRENT folder>/compare)
              --no-html  --quiet
            Verdict per metric: slower/faster when the whole 95% CI of current/baseline lies beyond the threshold,
            unchanged when it lies within, inconclusive when it crosses it, too noisy when a side's CV exceeds --max-cv.
            Exit codes: 0 no regression; 1 regression found (or a benchmark failed that measured in the baseline);
                        2 bad input (missing, empty, corrupt or other-schema file, nothing in common, bad option).
            """;
}
