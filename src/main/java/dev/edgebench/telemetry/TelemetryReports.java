package dev.edgebench.telemetry;

import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The run summary's and the comparison's view of telemetry: one Markdown section for
 * {@code summary.md} that flags throttled and unlocked-clock runs where a reader cannot miss them,
 * and the warnings a comparison prints when two runs were not measured on comparable machines.
 */
public final class TelemetryReports {
    private TelemetryReports() {
    }

    /**
     * Renders the telemetry section of a run summary: a table of power and energy figures per
     * benchmark (means over the counted measurement iterations), then a bold warning line per
     * benchmark that has one.
     *
     * @param reports the run's reports ({@link TelemetryReport#readRun})
     * @return Markdown, starting with a {@code ## Telemetry} heading
     */
    public static String markdown(List<TelemetryReport> reports) {
        StringBuilder sb = new StringBuilder("## Telemetry\n\n");
        if (reports.isEmpty()) {
            return sb.append("No telemetry was recorded (run without `-prof dev.edgebench.bench.TelemetryProfiler`, or `edgebench.telemetry=off`).\n").toString();
        }
        sb.append("| benchmark | state | power avg W | power peak W | J/token | tok/s/W | max temp C | GPU clock MHz | energy from |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (TelemetryReport r : reports) {
            List<TelemetryReport.Iteration> its = r.measurementIterations();
            String state = r.throttled() ? "**THROTTLED**" : "ok";
            if (r.clocksLocked().isPresent() && !r.clocksLocked().get()) {
                state += " **clocks unlocked**";
            }
            DoubleSummaryStatistics clockMin = stats(its, TelemetryReport.Iteration::gpuClockMinMhz);
            DoubleSummaryStatistics clockMax = stats(its, TelemetryReport.Iteration::gpuClockMaxMhz);
            sb.append("| ").append(r.benchmarkId())
                    .append(" | ").append(state)
                    .append(" | ").append(mean(its, TelemetryReport.Iteration::powerAvgW, "%.2f"))
                    .append(" | ").append(max(its, TelemetryReport.Iteration::powerPeakW, "%.2f"))
                    .append(" | ").append(mean(its, TelemetryReport.Iteration::jPerToken, "%.4g"))
                    .append(" | ").append(mean(its, TelemetryReport.Iteration::tokPerSPerW, "%.3g"))
                    .append(" | ").append(max(its, TelemetryReport.Iteration::tempMaxC, "%.1f"))
                    .append(" | ").append(clockMin.getCount() == 0 ? "-" : String.format(Locale.ROOT, "%.0f-%.0f",
                            clockMin.getMin(), clockMax.getMax()))
                    .append(" | ").append(energySources(its)).append(" |\n");
        }
        sb.append('\n');
        for (TelemetryReport r : reports) {
            List<String> w = r.warnings();
            if (!w.isEmpty()) {
                sb.append("- **").append(r.benchmarkId()).append("**: ").append(String.join("; ", w)).append('\n');
            }
        }
        TelemetryReport last = reports.get(reports.size() - 1);
        sb.append('\n').append("Power: ").append(last.powerSource().orElse("none")).append('.');
        last.powerMode().ifPresent(m -> sb.append(" Power mode: ").append(m).append('.'));
        last.fact(TelemetryReport.FACT_CLOCKS_LOCKED_DETAIL).ifPresent(d -> sb.append(" Clocks: ").append(d).append('.'));
        sb.append('\n');
        return sb.toString();
    }

    /**
     * Warnings for a comparison of two runs, per benchmark present in both (by id): either side
     * throttled, clocks unlocked on either side, a different power mode, lock state or power
     * source.
     *
     * @return one line each; empty when the machines' states were comparable
     */
    public static List<String> compare(List<TelemetryReport> baseline, List<TelemetryReport> current) {
        Map<String, TelemetryReport> base = new LinkedHashMap<>();
        baseline.forEach(r -> base.put(r.benchmarkId(), r));
        List<String> out = new ArrayList<>();
        for (TelemetryReport cur : current) {
            TelemetryReport b = base.get(cur.benchmarkId());
            if (b == null) {
                continue;
            }
            String id = cur.benchmarkId();
            if (b.throttled()) {
                out.add(id + ": the baseline was throttled; the comparison is not reliable");
            }
            if (cur.throttled()) {
                out.add(id + ": the current run was throttled; the comparison is not reliable");
            }
            differs(out, id, "power mode", b.powerMode(), cur.powerMode());
            differs(out, id, "clocks locked", b.clocksLocked().map(Object::toString), cur.clocksLocked().map(Object::toString));
            differs(out, id, "power source", b.powerSource(), cur.powerSource());
            if (Boolean.FALSE.equals(b.clocksLocked().orElse(null)) || Boolean.FALSE.equals(cur.clocksLocked().orElse(null))) {
                out.add(id + ": clocks were not locked in " + (Boolean.FALSE.equals(b.clocksLocked().orElse(null)) ? "the baseline" : "the current run")
                        + "; DVFS adds noise");
            }
        }
        return out;
    }

    private static void differs(List<String> out, String id, String what, Optional<String> a, Optional<String> b) {
        if (a.isPresent() && b.isPresent() && !Objects.equals(a.get(), b.get())) {
            out.add(id + ": " + what + " differs: baseline " + a.get() + ", current " + b.get());
        }
    }

    private static DoubleSummaryStatistics stats(List<TelemetryReport.Iteration> its, Function<TelemetryReport.Iteration, Double> f) {
        DoubleSummaryStatistics s = new DoubleSummaryStatistics();
        its.stream().map(f).filter(Objects::nonNull).forEach(s::accept);
        return s;
    }

    private static String mean(List<TelemetryReport.Iteration> its, Function<TelemetryReport.Iteration, Double> f, String fmt) {
        DoubleSummaryStatistics s = stats(its, f);
        return s.getCount() == 0 ? "-" : String.format(Locale.ROOT, fmt, s.getAverage());
    }

    private static String max(List<TelemetryReport.Iteration> its, Function<TelemetryReport.Iteration, Double> f, String fmt) {
        DoubleSummaryStatistics s = stats(its, f);
        return s.getCount() == 0 ? "-" : String.format(Locale.ROOT, fmt, s.getMax());
    }

    private static String energySources(List<TelemetryReport.Iteration> its) {
        List<String> seen = its.stream().map(TelemetryReport.Iteration::energySource).distinct().toList();
        return seen.isEmpty() ? "-" : String.join(", ", seen);
    }
}
