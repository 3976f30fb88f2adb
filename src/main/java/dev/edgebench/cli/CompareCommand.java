package dev.edgebench.cli;

import dev.edgebench.compare.BadInputException;
import dev.edgebench.compare.Comparer;
import dev.edgebench.compare.Comparison;
import dev.edgebench.compare.HtmlReport;
import dev.edgebench.compare.JsonReport;
import dev.edgebench.compare.MarkdownReport;
import dev.edgebench.compare.ResultLoader;
import dev.edgebench.compare.ResultSet;
import dev.edgebench.run.RunFolder;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/**
 * {@code compare BASELINE CURRENT}: matches the two result sets by benchmark id, compares each
 * match with a bootstrap confidence interval and a threshold, prints the markdown report, writes
 * compare.md, compare.html and compare.json, and exits 0 (no regression), 1 (a regression beyond
 * the threshold, or a benchmark that failed in the current run), 2 (bad input: missing, empty,
 * corrupt or other-schema files, nothing in common, bad options).
 */
@CommandLine.Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compares two result sets benchmark by benchmark (bootstrap confidence intervals against a threshold),"
                + " prints the markdown report and writes compare.md, compare.html and compare.json.",
        footer = {"",
                "Verdict per metric: slower/faster when the whole 95%% CI of current/baseline lies beyond the threshold,"
                        + " unchanged when it lies within, inconclusive when it crosses it, too noisy when a side's CV exceeds"
                        + " --max-cv.",
                "Exit codes: 0 no regression; 1 regression found (or a benchmark failed that measured in the baseline);"
                        + " 2 bad input (missing, empty, corrupt or other-schema file, nothing in common, bad option)."})
public final class CompareCommand implements Callable<Integer> {
    @CommandLine.Parameters(index = "0", paramLabel = "BASELINE",
            description = "a run folder (results/runs/<id>), a baseline folder (results/baselines/<platform>), a run.json,"
                    + " or a JMH JSON result file (-rf json)")
    Path baseline;

    @CommandLine.Parameters(index = "1", paramLabel = "CURRENT", description = "the same kinds; matched to BASELINE by benchmark id")
    Path current;

    @CommandLine.Mixin
    CompareOptions options = new CompareOptions();

    @Override
    public Integer call() throws BadInputException {
        ResultSet base = ResultLoader.load(baseline);
        ResultSet cur = ResultLoader.load(current);
        Path out = options.out;
        if (out == null) {
            out = (Files.isDirectory(current) ? current : cur.source().toAbsolutePath().getParent()).resolve("compare");
        }
        return compareAndReport(base, cur, options, out);
    }

    /** Compares, prints the markdown (unless quiet), writes the reports into {@code out}. @return the exit code */
    static int compareAndReport(ResultSet base, ResultSet cur, CompareOptions o, Path out) throws BadInputException {
        Comparison c = Comparer.compare(base, cur, o.resolveSuite(cur), o.resamples, o.seed, o.runNoise, o.paired);
        String md = MarkdownReport.render(c);
        try {
            Files.createDirectories(out);
            writeAtomically(out.resolve("compare.md"), md);
            RunFolder.writeJson(out.resolve("compare.json"), JsonReport.document(c));
            if (o.html()) {
                writeAtomically(out.resolve("compare.html"), HtmlReport.render(c));
            }
        } catch (IOException e) {
            throw new BadInputException("cannot write the reports into " + out + ": " + e.getMessage(), e);
        }
        if (!o.quiet) {
            System.out.println(md);
        }
        System.err.println("compare: " + c.headline() + "; reports in " + out.toAbsolutePath().normalize()
                + (o.html() ? " (compare.md, compare.html, compare.json)" : " (compare.md, compare.json)") + "; exit code " + c.exitCode());
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
}
