package dev.edgebench.cli;

import dev.edgebench.telemetry.Channel;
import dev.edgebench.telemetry.Detection;
import dev.edgebench.telemetry.Probe;
import dev.edgebench.telemetry.Quantity;
import dev.edgebench.telemetry.Sampler;
import dev.edgebench.telemetry.SamplerSet;
import dev.edgebench.telemetry.TelemetryConfig;
import dev.edgebench.telemetry.ThrottleReason;
import dev.edgebench.telemetry.WindowAccumulator;
import dev.edgebench.telemetry.WindowSummary;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code telemetry [--samples N] [--period-ms P] [--samplers LIST] [--root DIR]}: shows what
 * telemetry this machine offers, why the other samplers are unavailable, N samples, the energy
 * over them, and what one sample costs.
 *
 * <p>Samples on the calling thread (no background thread), so its cost figures are those of the
 * samplers alone.
 */
public final class TelemetryCommand {
    static final String USAGE = "usage: telemetry [--samples N] [--period-ms P] [--samplers nvml,jetson,thermal,host] [--root DIR]";

    private TelemetryCommand() {
    }

    /**
     * Runs the command, printing to standard output.
     *
     * @return 0 on success, 2 on bad arguments
     */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        int samples = 10;
        TelemetryConfig config;
        try {
            config = TelemetryConfig.fromSystemProperties().withEnabled(true);
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    out.println(USAGE);
                    return 0;
                }
                if (i + 1 >= args.length) {
                    err.println("telemetry: " + a + (a.startsWith("--") ? " needs a value" : " is not an option") + "\n" + USAGE);
                    return 2;
                }
                String v = args[++i];
                switch (a) {
                    case "--samples" -> samples = positive(a, v);
                    case "--period-ms" -> config = config.withPeriod(Duration.ofMillis(positive(a, v)));
                    case "--samplers" -> config = config.withSamplers(TelemetryConfig.parseSamplers(v));
                    case "--root" -> config = config.withRoot(Path.of(v));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("telemetry: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }

        Detection detection = Detection.detect(config);
        try (SamplerSet set = SamplerSet.of(detection.samplers())) {
            printDetection(out, detection, set, config);
            if (set.width() == 0) {
                out.println("\nno sampler is available: nothing to sample");
                return 0;
            }
            sample(out, set, samples, config.period());
        }
        return 0;
    }

    private static int positive(String option, String v) {
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a positive integer, got '" + v + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be a positive integer, got " + n);
        }
        return n;
    }

    private static void printDetection(PrintStream out, Detection detection, SamplerSet set, TelemetryConfig config) {
        out.printf(Locale.ROOT, "telemetry: root %s, period %d ms%n", config.root(), config.period().toMillis());
        out.println("available:");
        if (detection.samplers().isEmpty()) {
            out.println("  (none)");
        }
        for (Sampler s : detection.samplers()) {
            out.printf(Locale.ROOT, "  %-8s %s%n", s.name(), String.join(", ",
                    s.channels().stream().map(c -> c.name() + " [" + c.unit() + "]").toList()));
        }
        if (!detection.unavailable().isEmpty()) {
            out.println("unavailable:");
            for (Probe.Unavailable u : detection.unavailable()) {
                out.printf(Locale.ROOT, "  %-8s %s%n", u.name(), u.reason().replace("\n", "\n           "));
            }
        }
        out.println("power: " + (set.power() == null ? "none (no power sensor readable)"
                : set.powerSampler() + ": " + set.power().description()));
        Map<String, String> facts = set.facts();
        if (!facts.isEmpty()) {
            out.println("facts:");
            facts.forEach((k, v) -> out.printf(Locale.ROOT, "  %s = %s%n", k, v));
        }
        List<String> notes = set.notes();
        if (!notes.isEmpty()) {
            out.println("not read:");
            notes.forEach(n -> out.println("  " + n));
        }
    }

    private static void sample(PrintStream out, SamplerSet set, int n, Duration period) {
        List<Channel> channels = set.channels();
        double[][] rows = new double[n][set.width()];
        long[] timeNs = new long[n];
        long[] costNs = new long[n];
        WindowAccumulator window = WindowAccumulator.of(set);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpuClock = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        // sample first, print afterwards, so that the thread's CPU time is the sampling alone
        long cpuStart = cpuClock ? threads.getCurrentThreadCpuTime() : -1;
        long start = System.nanoTime();
        long next = start;
        for (int i = 0; i < n; i++) {
            long wait = next - System.nanoTime();
            while (wait > 0) {
                LockSupport.parkNanos(wait);
                wait = next - System.nanoTime();
            }
            next += period.toNanos();
            timeNs[i] = System.nanoTime();
            costNs[i] = set.sample(rows[i]);
            window.add(timeNs[i], rows[i], costNs[i], set.lastWallNsBy());
        }
        if (cpuClock) {
            window.threadCpuNs(threads.getCurrentThreadCpuTime() - cpuStart);
        }

        List<String> headers = new ArrayList<>();
        headers.add("sample");
        headers.add("t[ms]");
        for (Channel c : channels) {
            headers.add(c.name() + "[" + displayUnit(c.quantity()) + "]");
        }
        out.println();
        out.println(String.join("  ", headers));
        for (int i = 0; i < n; i++) {
            StringBuilder line = new StringBuilder();
            line.append(pad(Integer.toString(i + 1), headers.get(0).length())).append("  ");
            line.append(pad(String.format(Locale.ROOT, "%.1f", (timeNs[i] - start) / 1e6), headers.get(1).length()));
            for (int c = 0; c < channels.size(); c++) {
                line.append("  ").append(pad(format(channels.get(c).quantity(), rows[i][c]), headers.get(c + 2).length()));
            }
            out.println(line);
        }
        WindowSummary w = window.summary();
        out.println();
        if (!Double.isNaN(w.energyJ())) {
            out.printf(Locale.ROOT, "energy: %.4f J over %.3f s (%s), power avg %.3f W, peak %.3f W%n", w.energyJ(), w.durationS(),
                    w.energySource().label(), w.powerAvgW(), w.powerPeakW());
        }
        long[] sorted = costNs.clone();
        Arrays.sort(sorted);
        out.printf(Locale.ROOT, "sampler cost per sample: wall mean %.1f us, median %.1f us, max %.1f us; CPU %.1f us (thread CPU time"
                        + " over the loop / samples); %d samples every %d ms%n",
                w.samplerWallMeanUs(), sorted[n / 2] / 1e3, w.samplerWallMaxUs(), w.samplerCpuMeanUs(), n, period.toMillis());
        w.samplerWallMeanUsBy().forEach((k, v) -> out.printf(Locale.ROOT, "  %-8s wall mean %.1f us%n", k, v));
        if (w.throttled()) {
            out.println("throttling seen: " + ThrottleReason.names(w.clockEventReasons()));
        }
    }

    private static String displayUnit(Quantity q) {
        return switch (q) {
            case GPU_MEMORY_USED_BYTES, PROCESS_RSS_BYTES, PROCESS_RSS_PEAK_BYTES -> "MiB";
            default -> q.unit();
        };
    }

    private static String format(Quantity q, double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return switch (q) {
            case GPU_MEMORY_USED_BYTES, PROCESS_RSS_BYTES, PROCESS_RSS_PEAK_BYTES ->
                    String.format(Locale.ROOT, "%.1f", v / (1 << 20));
            case CLOCK_EVENT_REASONS -> "0x" + Long.toHexString((long) v);
            case POWER_MW, ENERGY_COUNTER_MJ -> String.format(Locale.ROOT, "%.0f", v);
            default -> String.format(Locale.ROOT, "%.1f", v);
        };
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
