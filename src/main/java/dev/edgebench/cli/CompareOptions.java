package dev.edgebench.cli;

import dev.edgebench.compare.BadInputException;
import dev.edgebench.compare.Bootstrap;
import dev.edgebench.compare.CompareConfig;
import dev.edgebench.compare.ResultSet;
import dev.edgebench.util.EdgebenchHome;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The comparison options of {@code compare} and {@code ab}, as a picocli mixin
 * ({@code @Mixin CompareOptions compare;}). Values left unset (null) take the suite's setting from
 * the compare config; {@link #resolveSuite} applies the given ones on top. Fractions (thresholds,
 * CVs) are accepted as {@code 5%} or {@code 0.05}. Not thread-safe: one instance per parse.
 */
public class CompareOptions {
    @CommandLine.Option(names = "--threshold", paramLabel = "T", converter = Threshold.class,
            description = "relative change that counts for throughput metrics: 5%% (default) or 0.05")
    Double threshold;

    @CommandLine.Option(names = "--latency-threshold", paramLabel = "T", converter = Threshold.class,
            description = "the same for latency percentiles (default 10%%)")
    Double latencyThreshold;

    @CommandLine.Option(names = "--config", paramLabel = "FILE",
            description = "thresholds per suite (default: results/compare.json when present)")
    Path config;

    @CommandLine.Option(names = "--suite", paramLabel = "NAME",
            description = "the config's suite to use (default: the current run's preset; jmh for JMH files)")
    String suite;

    @CommandLine.Option(names = "--metrics", paramLabel = "LIST", split = ",",
            description = "primary (default: prefill.tok_s, decode.tok_s, JMH score), all, or metric names, comma-separated")
    List<String> metrics;

    @CommandLine.Option(names = "--statistic", paramLabel = "S", description = "mean (default) or median")
    Bootstrap.Statistic statistic;

    @CommandLine.Option(names = "--latency-gate", negatable = true,
            description = "fail on latency percentiles (the suite's setting by default); --no-latency-gate reports them"
                    + " without failing on them")
    Boolean gateLatency;

    @CommandLine.Option(names = "--max-cv", paramLabel = "C", converter = MaxCv.class,
            description = "noise guard: no verdict (too noisy) when a side's robust CV exceeds C (default 25%%)")
    Double maxCv;

    @CommandLine.Option(names = "--run-noise", paramLabel = "CV", converter = RunNoise.class,
            description = "run-to-run noise to fold into the intervals (default: what the baseline recorded from its pooled"
                    + " runs, else the suite's runToRunCv; ab uses 0: it interleaves)")
    Double runNoise;

    @CommandLine.Option(names = "--paired",
            description = "the sides are an interleaved A/B (fork i of each from round i): compare round by round")
    boolean paired;

    @CommandLine.Option(names = "--resamples", paramLabel = "N", converter = Resamples.class,
            description = "bootstrap replicates, at least 100 (default ${DEFAULT-VALUE})")
    int resamples = Bootstrap.DEFAULT_RESAMPLES;

    @CommandLine.Option(names = "--seed", paramLabel = "N", description = "bootstrap seed")
    long seed = Bootstrap.DEFAULT_SEED;

    @CommandLine.Option(names = "--out", paramLabel = "DIR",
            description = "where compare.md/.html/.json go (default: <CURRENT folder>/compare)")
    Path out;

    @CommandLine.Option(names = "--no-html", description = "write no compare.html")
    boolean noHtml;

    @CommandLine.Option(names = "--quiet", description = "do not print the markdown report")
    boolean quiet;

    /** @return true when compare.html is to be written */
    boolean html() {
        return !noHtml;
    }

    /**
     * The suite settings: the config file (given, or results/compare.json when present), the suite by
     * name (given, or the current run's), then the options given here on top.
     *
     * @throws BadInputException when the given config file does not exist or is invalid
     */
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
            s = s.withMetrics(metrics.stream().map(String::trim).filter(m -> !m.isEmpty()).toList());
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

    /** A fraction written as {@code 5%} or {@code 0.05}; picocli puts the option's name before the message. */
    static double fraction(String v) {
        String t = v.trim();
        try {
            return t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + v + "' is not a number; write a fraction (0.05) or a percentage (5%)");
        }
    }

    /** {@link CompareConfig#parseThreshold}'s rule: [0, 1) or a percentage below 100%. */
    static final class Threshold implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String v) {
            fraction(v);
            try {
                return CompareConfig.parseThreshold(v);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A positive CV. */
    static final class MaxCv implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String v) {
            double x = fraction(v);
            if (!(x > 0)) {
                throw new CommandLine.TypeConversionException("must be positive, e.g. 25%, was '" + v + "'");
            }
            return x;
        }
    }

    /** A CV in [0, 1). */
    static final class RunNoise implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String v) {
            double x = fraction(v);
            if (!(x >= 0 && x < 1)) {
                throw new CommandLine.TypeConversionException("must be a CV in [0, 1), e.g. 3%, was '" + v + "'");
            }
            return x;
        }
    }

    /** At least 100 replicates: fewer make the 95% interval's ends a handful of samples. */
    static final class Resamples implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            int n;
            try {
                n = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + v + "' is not an integer");
            }
            if (n < 100) {
                throw new CommandLine.TypeConversionException("must be at least 100, was " + n);
            }
            return n;
        }
    }
}
