package dev.edgebench.cli;

import dev.edgebench.compare.BadInputException;
import dev.edgebench.compare.ResultLoader;
import dev.edgebench.history.BencherExport;
import dev.edgebench.history.ChangeDetection;
import dev.edgebench.history.HistoryException;
import dev.edgebench.history.HistoryLocation;
import dev.edgebench.history.HistoryQueries;
import dev.edgebench.history.HistoryStore;
import dev.edgebench.history.HistoryText;
import dev.edgebench.history.IngestOptions;
import dev.edgebench.history.RunInfo;
import dev.edgebench.history.Series;
import dev.edgebench.history.TrendReport;
import dev.edgebench.util.EdgebenchHome;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code history}: the results history (docs in {@code dev.edgebench.history}). Options and calls
 * only; the work is in {@link HistoryStore}, {@link ChangeDetection}, {@link HistoryText},
 * {@link BencherExport} and {@link TrendReport}. Exit codes: 0 done, 1 a slowdown found with
 * {@code changes --fail-on-regression}, 2 bad input or a history that cannot be used (unreachable,
 * refused credentials, a newer schema, a conflicting run).
 */
@Command(name = "history", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"The results history: SQLite (default <results>/history.sqlite) or PostgreSQL (--history jdbc:postgresql://HOST/DB,"
                + " credentials from EDGEBENCH_HISTORY_USER/EDGEBENCH_HISTORY_PASSWORD or PGUSER/PGPASSWORD)."},
        subcommands = {HistoryCommand.Ingest.class, HistoryCommand.ListRuns.class, HistoryCommand.Show.class, HistoryCommand.Changes.class,
                HistoryCommand.Export.class, HistoryCommand.Report.class})
public final class HistoryCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        spec.commandLine().getErr().println("history: name a subcommand");
        return 2;
    }

    /** Where the history is; shared by every subcommand. */
    static final class Where {
        @Option(names = "--history", paramLabel = "URL|FILE", description = "an SQLite file or jdbc:sqlite:FILE, or jdbc:postgresql://HOST:PORT/DB"
                + " (default: <results>/history.sqlite)")
        String history;

        @Option(names = "--results", paramLabel = "DIR", description = "the results folder holding the default history file (default: results)")
        Path results;

        HistoryStore open() throws HistoryException {
            Path dir = results != null ? results : EdgebenchHome.dir().resolve("results");
            return HistoryStore.open(HistoryLocation.parse(history, dir, System.getenv()));
        }
    }

    /** The series selection shared by show, changes and report. */
    static final class Select {
        @Option(names = "--device", description = "only this device (or devices whose name contains it)")
        String device;

        @Option(names = "--since", paramLabel = "TIME", description = "only runs started at or after this (2026-11-01 or an ISO-8601 instant)")
        String since;

        @Option(names = "--metric", description = "a metric name, or all (default: each benchmark's primary metric)")
        String metric;

        HistoryQueries.Filter filter(String benchmark) {
            Instant t = null;
            if (since != null) {
                try {
                    t = since.contains("T") ? Instant.parse(since) : LocalDate.parse(since).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("--since '" + since + "' is neither a date (2026-11-01) nor an ISO-8601 instant"
                            + " (2026-11-01T08:00:00Z)");
                }
            }
            return new HistoryQueries.Filter(benchmark, metric, device, t);
        }
    }

    /** Runs a subcommand body, turning every failure into its message and exit code 2. */
    abstract static class Sub implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Where where = new Where();

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        @Override
        public final Integer call() {
            try {
                return run();
            } catch (HistoryException | IllegalArgumentException | BadInputException e) {
                err().println("history " + spec.name() + ": " + e.getMessage());
                return 2;
            } catch (SQLException e) {
                err().println("history " + spec.name() + ": the history database failed: " + e.getMessage());
                return 2;
            } catch (IOException e) {
                err().println("history " + spec.name() + ": " + e);
                return 2;
            }
        }

        abstract int run() throws HistoryException, SQLException, IOException, BadInputException;
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true, description = "Store run folders (or run.json / JMH JSON files) in the history; a run already there is skipped.")
    static final class Ingest extends Sub {
        @Parameters(paramLabel = "RUN", arity = "1..*", description = "run folders, run.json or JMH JSON files (kernels-jmh.json)")
        List<Path> runs;

        @Option(names = "--commit", description = "the git commit of the code under test (e.g. $GITHUB_SHA)")
        String commit;

        @Option(names = "--run-id", description = "the run's id (JMH files: default the folder's name); one run only")
        String runId;

        @Option(names = "--started-at", paramLabel = "TIME", description = "the run's start (JMH files: default from the file's time)")
        Instant startedAt;

        @Option(names = "--device", description = "the device (default: from the run; needed for a JMH file without kernels.json)")
        String device;

        @Option(names = "--configuration", description = "the configuration (default: preset and power mode)")
        String configuration;

        @Override
        int run() throws HistoryException, BadInputException {
            if (runs.size() > 1 && (runId != null || startedAt != null)) {
                throw new IllegalArgumentException("--run-id and --started-at name one run; got " + runs.size());
            }
            // read every run first: a bad one is reported before anything is written
            List<dev.edgebench.compare.ResultSet> sets = new ArrayList<>();
            for (Path p : runs) {
                sets.add(ResultLoader.load(p));
            }
            HistoryStore store;
            try {
                store = where.open();
            } catch (HistoryException e) {
                throw new HistoryException(e.kind(), e.getMessage() + "\n  the run folders are untouched; ingest them later with: history ingest "
                        + String.join(" ", runs.stream().map(Path::toString).toList()) + (where.history != null ? " --history "
                        + where.history : ""), e);
            }
            try (store) {
                IngestOptions o = new IngestOptions(runId, startedAt, commit, device, configuration);
                for (dev.edgebench.compare.ResultSet rs : sets) {
                    HistoryStore.Ingested in = store.ingest(rs, o);
                    out().println((in.stored() ? "stored   " : "already  ") + in.run().runId() + " (" + in.benchmarks() + " benchmarks, "
                            + in.run().device() + ", " + in.run().label() + ")" + (in.stored() ? "" : ": in the history with the same content,"
                            + " nothing written") + " in " + store.location().describe());
                }
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the runs in the history, oldest first.")
    static final class ListRuns extends Sub {
        @Mixin
        Select select = new Select();

        @Override
        int run() throws HistoryException, SQLException {
            try (HistoryStore store = where.open()) {
                out().print(HistoryText.runs(store.queries().runs(select.filter(null))));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a benchmark's or op's series run by run, with its change points.")
    static final class Show extends Sub {
        @Parameters(paramLabel = "BENCHMARK", description = "a benchmark id, or text its id contains (an op: MUL_MAT q4_K)")
        String benchmark;

        @Mixin
        Select select = new Select();

        @Override
        int run() throws HistoryException, SQLException {
            try (HistoryStore store = where.open()) {
                List<Series> series = store.queries().series(select.filter(benchmark));
                if (series.isEmpty()) {
                    throw new HistoryException(HistoryException.Kind.BAD_INPUT, "no series matches '" + benchmark + "'"
                            + (select.metric != null ? " with metric " + select.metric : "") + " in " + store.location().describe()
                            + known(store, select));
                }
                ChangeDetection.Report r = ChangeDetection.detect(series, ChangeDetection.Options.DEFAULTS);
                series.forEach(s -> out().println(HistoryText.series(s, r)));
                out().println(HistoryText.method(r));
            }
            return 0;
        }
    }

    static String known(HistoryStore store, Select select) throws SQLException {
        List<String> ids = store.queries().series(select.filter(null)).stream().map(s -> s.key().benchmark()).distinct().limit(8).toList();
        return ids.isEmpty() ? " (the history holds no run" + (select.device != null || select.since != null ? " of that device or time" : "")
                + ")" : "; it holds e.g. " + String.join(", ", ids);
    }

    @Command(name = "changes", mixinStandardHelpOptions = true, description = "Find the runs where each series shifted (E-divisive means, permutation test, bootstrap CI).")
    static final class Changes extends Sub {
        @Option(names = "--benchmark", description = "only benchmarks whose id contains this")
        String benchmark;

        @Mixin
        Select select = new Select();

        @Option(names = "--alpha", description = "chance of any false alarm over all series examined (default ${DEFAULT-VALUE})")
        double alpha = ChangeDetection.Options.DEFAULTS.familyAlpha();

        @Option(names = "--min-runs", description = "fewest runs on each side of a change (default ${DEFAULT-VALUE})")
        int minRuns = ChangeDetection.Options.DEFAULTS.minSize();

        @Option(names = "--seed", description = "seed of the permutations and the bootstrap")
        long seed = ChangeDetection.Options.DEFAULTS.seed();

        @Option(names = "--fail-on-regression", description = "exit 1 when a series got slower (worse) at a change point")
        boolean fail;

        @Override
        int run() throws HistoryException, SQLException {
            ChangeDetection.Options o = new ChangeDetection.Options(alpha, minRuns, ChangeDetection.Options.DEFAULTS.minPermutations(),
                    ChangeDetection.Options.DEFAULTS.resamples(), seed);
            try (HistoryStore store = where.open()) {
                List<Series> series = store.queries().series(select.filter(benchmark));
                if (series.isEmpty()) {
                    throw new HistoryException(HistoryException.Kind.BAD_INPUT, "no series to examine in " + store.location().describe()
                            + known(store, select));
                }
                ChangeDetection.Report r = ChangeDetection.detect(series, o);
                out().print(HistoryText.changes(r));
                return fail && r.changes().stream().anyMatch(c -> c.direction().equals("slower")) ? 1 : 0;
            }
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Export runs in Bencher Metric Format (BMF) JSON.")
    static final class Export extends Sub {
        @Option(names = "--bencher", description = "Bencher Metric Format (the only format)")
        boolean bencher;

        @Option(names = "--run", description = "the run to export (default: the latest)")
        String run;

        @Option(names = "--all", description = "every run, one <run id>.bmf.json each into --out")
        boolean all;

        @Option(names = "--out", paramLabel = "FILE|DIR", description = "where to write (default: stdout; a folder with --all)")
        Path out;

        @Override
        int run() throws HistoryException, SQLException, IOException {
            if (!bencher) {
                throw new IllegalArgumentException("name the format: --bencher (Bencher Metric Format JSON)");
            }
            if (all && out == null) {
                throw new IllegalArgumentException("--all writes one file per run: give the folder with --out");
            }
            try (HistoryStore store = where.open()) {
                List<RunInfo> runs = store.queries().runs(HistoryQueries.Filter.ALL_PRIMARY);
                if (runs.isEmpty()) {
                    throw new HistoryException(HistoryException.Kind.BAD_INPUT, "the history " + store.location().describe() + " holds no run");
                }
                List<RunInfo> chosen = all ? runs : List.of(run == null ? runs.getLast() : runs.stream().filter(r -> r.runId().equals(run))
                        .findFirst().orElseThrow(() -> new IllegalArgumentException("no run '" + run + "' in the history; `history list` shows them")));
                for (RunInfo r : chosen) {
                    String json = BencherExport.json(store.queries().metrics(r.runId()));
                    if (out == null) {
                        out().print(json);
                    } else {
                        Path f = all ? out.resolve(r.runId() + ".bmf.json") : out;
                        Files.createDirectories(f.toAbsolutePath().getParent());
                        Files.writeString(f, json);
                        out().println("wrote " + f);
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true, description = "Write the trend page (HTML): each series over runs with its CI band and change points.")
    static final class Report extends Sub {
        @Option(names = "--benchmark", description = "only benchmarks whose id contains this")
        String benchmark;

        @Mixin
        Select select = new Select();

        @Option(names = "--out", paramLabel = "FILE", description = "the page (default: <results>/history.html)")
        Path out;

        @Override
        int run() throws HistoryException, SQLException, IOException {
            try (HistoryStore store = where.open()) {
                List<Series> series = store.queries().series(select.filter(benchmark));
                if (series.isEmpty()) {
                    throw new HistoryException(HistoryException.Kind.BAD_INPUT, "no series to draw in " + store.location().describe()
                            + known(store, select));
                }
                ChangeDetection.Report r = ChangeDetection.detect(series, ChangeDetection.Options.DEFAULTS);
                Path f = out != null ? out : (where.results != null ? where.results : EdgebenchHome.dir().resolve("results")).resolve("history.html");
                Files.createDirectories(f.toAbsolutePath().getParent());
                Files.writeString(f, TrendReport.render(r, "edgebench history: " + store.location().describe()));
                out().println("wrote " + f + " (" + series.size() + " series, " + r.changes().size() + " change points)");
            }
            return 0;
        }
    }
}
