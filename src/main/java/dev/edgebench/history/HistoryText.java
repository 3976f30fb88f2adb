package dev.edgebench.history;

import java.util.List;
import java.util.Locale;

/**
 * The text printer of the history commands: Markdown tables sized for a terminal, a job summary
 * or a pull-request comment. Stateless.
 */
public final class HistoryText {
    private HistoryText() {
    }

    /** @return the runs, oldest first */
    public static String runs(List<RunInfo> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append("| # | run | started (UTC) | commit | device | configuration | engine | status |\n|---:|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (RunInfo r : runs) {
            sb.append("| ").append(i++).append(" | ").append(r.runId()).append(" | ").append(r.startedAt().toString(), 0, 19).append(" | ")
                    .append(nz(r.codeCommit() == null ? null : r.label())).append(" | ").append(r.device()).append(" | ")
                    .append(r.configuration()).append(" | ").append(nz(r.engineName())).append(r.engineCommit() == null ? ""
                            : " " + r.engineCommit().substring(0, Math.min(8, r.engineCommit().length()))).append(" | ")
                    .append(nz(r.status())).append(" |\n");
        }
        sb.append(runs.size()).append(runs.size() == 1 ? " run\n" : " runs\n");
        return sb.toString();
    }

    /** @return one series, run by run, with its change points marked */
    public static String series(Series s, ChangeDetection.Report report) {
        StringBuilder sb = new StringBuilder();
        sb.append("### ").append(s.key().text()).append(" (").append(s.unit()).append(s.higherIsBetter() ? ", higher is better" : ", lower is better")
                .append(")\n\n| # | run | commit | started (UTC) | mean ± 95% CI | n | change |\n|---:|---|---|---|---:|---:|---|\n");
        for (int i = 0; i < s.points().size(); i++) {
            Series.Point p = s.points().get(i);
            int at = i;
            String change = report.changes().stream().filter(c -> c.series().key().equals(s.key()) && c.index() == at)
                    .map(HistoryText::shift).findFirst().orElse("");
            sb.append("| ").append(i + 1).append(" | ").append(p.run().runId()).append(" | ").append(p.run().label()).append(" | ")
                    .append(p.run().startedAt().toString(), 0, 19).append(" | ").append(meanCi(p)).append(" | ").append(p.values().length)
                    .append(" | ").append(change).append(" |\n");
        }
        if (!s.gaps().isEmpty()) {
            sb.append("\nNo value in ").append(s.gaps().size()).append(" run(s) of this device and configuration: ")
                    .append(String.join(", ", HistoryStore.ids(s.gaps()))).append(" (failed or not run); the series skips them.\n");
        }
        report.skipped().stream().filter(k -> k.series().key().equals(s.key()))
                .forEach(k -> sb.append("\nNo change-point analysis: ").append(k.reason()).append(".\n"));
        return sb.toString();
    }

    /** @return the change points found, with the method line */
    public static String changes(ChangeDetection.Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.changes().isEmpty() ? "No change point" : r.changes().size() + " change point" + (r.changes().size() == 1 ? "" : "s"))
                .append(" in ").append(r.examined()).append(" series examined");
        if (!r.skipped().isEmpty()) {
            sb.append(" (").append(r.skipped().size()).append(" too short to examine)");
        }
        if (!r.underpowered().isEmpty()) {
            sb.append("; ").append(r.underpowered().size()).append(r.underpowered().size() == r.examined() ? " (all)" : "")
                    .append(" too short to show one at this level");
        }
        sb.append(".\n\n");
        if (!r.underpowered().isEmpty()) {
            java.util.TreeMap<Integer, Integer> byLength = new java.util.TreeMap<>();
            r.underpowered().forEach(s -> byLength.merge(s.points().size(), 1, Integer::sum));
            byLength.forEach((n, count) -> sb.append(String.format(Locale.ROOT, "- %d series of %d runs: the smallest p-value a"
                    + " permutation test can give %d runs is %.2g (2 / C(%d, %d)), above the %.2g each series is tested at; %d runs"
                    + " are needed, or a larger --alpha%n", count, n, n, ChangeDetection.permutationFloor(n), n, n / 2,
                    r.perSeriesAlpha(), r.runsNeeded())));
            sb.append('\n');
        }
        if (!r.changes().isEmpty()) {
            sb.append("| at run | commit | series | change (95% CI) | p | runs before/after | moved with it |\n|---|---|---|---:|---:|---:|---|\n");
            for (ChangeDetection.ChangePoint c : r.changes()) {
                sb.append("| ").append(c.run().runId()).append(" (#").append(c.index() + 1).append(")");
                if (!c.gapsBetween().isEmpty()) {
                    sb.append(", or one of ").append(c.gapsBetween().size()).append(" run(s) before it without a value");
                }
                sb.append(" | ").append(c.run().label()).append(" | ").append(c.series().key().benchmark()).append(" · ")
                        .append(c.series().key().metric()).append(" · ").append(c.series().key().device()).append(" | ").append(shift(c))
                        .append(" | ").append(String.format(Locale.ROOT, "%.4f", c.pValue())).append(" | ").append(c.runsBefore()).append('/')
                        .append(c.runsAfter()).append(" | ").append(c.alsoMoved().isEmpty() ? "—" : String.join("; ",
                                c.alsoMoved().stream().map(k -> k.benchmark() + " · " + k.metric()).toList())).append(" |\n");
            }
            sb.append('\n');
        }
        for (ChangeDetection.Skipped k : r.skipped()) {
            sb.append("- not examined: ").append(k.series().key().text()).append(": ").append(k.reason()).append('\n');
        }
        r.series().stream().filter(s -> !s.gaps().isEmpty()).forEach(s -> sb.append("- ").append(s.key().text()).append(": no value in ")
                .append(s.gaps().size()).append(" run(s) (").append(String.join(", ", HistoryStore.ids(s.gaps())))
                .append("); examined on the runs that have one\n"));
        sb.append(method(r)).append('\n');
        return sb.toString();
    }

    /** @return the one-line description of the method and its parameters */
    public static String method(ChangeDetection.Report r) {
        return String.format(Locale.ROOT, "Method: E-divisive means (Matteson & James 2014) on per-run medians, permutation test at %.2g per"
                        + " series (%.2g over %d series, Bonferroni), at least %d runs each side, seed %d; change = median after ÷ median before"
                        + " between neighbouring change points, 95%% CI by two-stage bootstrap (runs, then samples), %d resamples.",
                r.perSeriesAlpha(), r.options().familyAlpha(), r.examined(), r.options().minSize(), r.options().seed(), r.options().resamples());
    }

    static String shift(ChangeDetection.ChangePoint c) {
        double e = (c.ratio().estimate() - 1) * 100;
        String ci = c.ratio().hasCi() ? String.format(Locale.ROOT, " (%+.1f%% … %+.1f%%)", (c.ratio().low() - 1) * 100,
                (c.ratio().high() - 1) * 100) : "";
        return String.format(Locale.ROOT, "**%+.1f%%**%s %s", e, ci, c.direction());
    }

    static String meanCi(Series.Point p) {
        String m = num(p.mean());
        return Double.isNaN(p.ciLow()) ? m : m + " ± " + num((p.ciHigh() - p.ciLow()) / 2);
    }

    static String num(double x) {
        double a = Math.abs(x);
        return String.format(Locale.ROOT, a >= 1000 ? "%,.0f" : a >= 100 ? "%.1f" : a >= 1 ? "%.3f" : "%.4g", x);
    }

    private static String nz(String s) {
        return s == null ? "—" : s;
    }
}
