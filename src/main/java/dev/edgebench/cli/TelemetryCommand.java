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
import picocli.CommandLine;

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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code telemetry [--samples N] [--period-ms P] [--samplers LIST] [--root DIR]}: shows what
 * telemetry this machine offers, why the other samplers are unavailable, N samples, the energy
 * over them, and what one sample costs.
 *
 * <p>Samples on the calling thread (no background thread), so its cost figures are those of the
 * samplers alone.
 */
@CommandLine.Command(name = "telemetry", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows what telemetry this machine offers (and why the other samplers are unavailable), takes N samples,"
                + " and prints the energy over them and what one sample costs.",
                "System properties edgebench.telemetry.* set the defaults."},
        footer = {"", "Exit codes: 0 done (also when no sampler is available); 2 bad input."})
public final class TelemetryCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--samples", paramLabel = "N", converter = Positive.class,
            description = "samples to take (default ${DEFAULT-VALUE})")
    int samples = 10;

    @CommandLine.Option(names = "--period-ms", paramLabel = "P", converter = Positive.class,
            description = "milliseconds between samples (default: the property edgebench.telemetry.periodMs, else the built-in period)")
    Integer periodMs;

    @CommandLine.Option(names = "--samplers", paramLabel = "LIST", converter = Samplers.class,
            description = "samplers to try, comma-separated, of: nvml jetson thermal host (default: all)")
    SamplerNames samplers;

    @CommandLine.Option(names = "--root", paramLabel = "DIR",
            description = "file system root the sysfs and procfs samplers read under (default /; for recorded trees)")
    Path root;

    @Override
    public Integer call() {
        TelemetryConfig config = TelemetryConfig.fromSystemProperties().withEnabled(true);
        if (periodMs != null) {
            config = config.withPeriod(Duration.ofMillis(periodMs));
        }
        if (samplers != null) {
            config = config.withSamplers(samplers.names());
        }
        if (root != null) {
            config = config.withRoot(root);
        }
        PrintStream out = System.out;
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

    /** A positive integer. */
    static final class Positive implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            int n;
            try {
                n = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("must be a positive integer, got '" + v + "'");
            }
            if (n < 1) {
                throw new CommandLine.TypeConversionException("must be a positive integer, got " + n);
            }
            return n;
        }
    }

    /** Sampler names, checked by {@link TelemetryConfig#parseSamplers}; one option value, not a repeatable list. */
    record SamplerNames(Set<String> names) {
    }

    /** {@link TelemetryConfig#parseSamplers}'s names. */
    static final class Samplers implements CommandLine.ITypeConverter<SamplerNames> {
        @Override
        public SamplerNames convert(String v) {
            try {
                return new SamplerNames(TelemetryConfig.parseSamplers(v));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
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
