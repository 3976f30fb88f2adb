package dev.edgebench.bench;

import dev.edgebench.latency.WorkCounter;
import dev.edgebench.run.Metric;
import dev.edgebench.telemetry.Cooldown;
import dev.edgebench.telemetry.ErrorTally;
import dev.edgebench.telemetry.Probe;
import dev.edgebench.telemetry.Quantity;
import dev.edgebench.telemetry.Sampler;
import dev.edgebench.telemetry.TelemetryConfig;
import dev.edgebench.telemetry.TelemetryReport;
import dev.edgebench.telemetry.TelemetrySession;
import dev.edgebench.telemetry.WindowSummary;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.runner.IterationType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records the machine's state during every benchmark iteration and publishes it as JMH secondary
 * results: {@code -prof dev.edgebench.bench.TelemetryProfiler}.
 *
 * <p>Per iteration: {@code power.avg} and {@code power.peak} (W), {@code energy} (J) and
 * {@code energy.from_counter} (share from a hardware counter, 0 to 1; the rest integrated from
 * power readings), {@code energy.per_token} (J/tok) and {@code tok_per_s_per_W} (tokens generated,
 * from {@link WorkCounter}; left out when the benchmark generated none), {@code temp.max} (C),
 * {@code clock.sm.min} and {@code clock.sm.max} (MHz), {@code throttled} (0/1) and
 * {@code throttle.reasons} (a {@link dev.edgebench.telemetry.ThrottleReason} bitmask, ORed),
 * {@code memory.rss.peak} and {@code memory.gpu.peak} (MiB), {@code telemetry.sampler.cost}
 * (CPU µs per sample, spent on the sampling thread) and {@code telemetry.sampler.wall} (wall-clock
 * µs per sample, which includes waiting in drivers) and, with a cool-down, {@code cooldown.wait} (s).
 * A metric the machine cannot measure is left out. When {@code edgebench.run.dir} is set, the
 * detail (every channel, facts such as the power mode and clock lock, unavailable samplers with
 * reasons) goes to {@code <run dir>/telemetry/<benchmark id>.json}, one fork appended per JVM.
 *
 * <p>Cost on the measured thread: nothing during an iteration. All sampling runs on the
 * {@link TelemetrySession}'s daemon thread; the hooks between iterations ask it for one boundary
 * sample each and wait for it.
 *
 * <p>Failures (no sensors, a sampler that breaks) never stop the benchmark: the profiler prints
 * one {@code # Telemetry:} line, publishes what it can and records the reason.
 *
 * <p>Options, as system properties ({@link TelemetryConfig}, {@link Cooldown}) or after the class
 * name, {@code ;}-separated: {@code periodMs=50;samplers=nvml,host;root=/;cooldownTempC=50;cooldownMaxSeconds=120}.
 * {@code edgebench.telemetry=off} turns it into a no-op.
 */
public final class TelemetryProfiler implements InternalProfiler {
    private final TelemetryConfig config;
    private final Cooldown.Settings cooldown;

    private TelemetrySession session;
    private TelemetrySession.Opened opened;
    private boolean broken;
    private boolean finished;
    private boolean hasReasons;
    private String startedAt;
    private Cooldown.Result cooldownResult;
    private long generatedAtStart;
    private long prefillAtStart;
    private int warmupDone;
    private int measurementDone;
    private final List<TelemetryReport.Iteration> iterations = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    /** With options from system properties only. */
    public TelemetryProfiler() throws ProfilerException {
        this("");
    }

    /**
     * @param initLine JMH's text after {@code -prof dev.edgebench.bench.TelemetryProfiler:}
     * @throws ProfilerException naming a bad option or property value
     */
    public TelemetryProfiler(String initLine) throws ProfilerException {
        try {
            TelemetryConfig c = TelemetryConfig.fromSystemProperties();
            Cooldown.Settings cd = Cooldown.fromSystemProperties();
            Double cdTemp = cd == null ? null : cd.targetC();
            Duration cdMax = cd == null ? Duration.ofSeconds(Cooldown.DEFAULT_MAX_SECONDS) : cd.maxWait();
            for (String opt : initLine == null ? new String[0] : initLine.split(";")) {
                String o = opt.strip();
                if (o.isEmpty()) {
                    continue;
                }
                int eq = o.indexOf('=');
                if (eq <= 0) {
                    throw new ProfilerException("TelemetryProfiler option '" + o + "' is not key=value");
                }
                String k = o.substring(0, eq).strip();
                String v = o.substring(eq + 1).strip();
                switch (k) {
                    case "periodMs" -> c = c.withPeriod(Duration.ofMillis(parseLong(k, v)));
                    case "samplers" -> c = c.withSamplers(TelemetryConfig.parseSamplers(v));
                    case "root" -> c = c.withRoot(Path.of(v));
                    case "cooldownTempC" -> cdTemp = parseDouble(k, v);
                    case "cooldownMaxSeconds" -> cdMax = Duration.ofSeconds(parseLong(k, v));
                    default -> throw new ProfilerException("TelemetryProfiler: unknown option '" + k
                            + "'; known: periodMs, samplers, root, cooldownTempC, cooldownMaxSeconds");
                }
            }
            this.config = c;
            this.cooldown = cdTemp == null ? null : new Cooldown.Settings(cdTemp, cdMax);
        } catch (IllegalArgumentException e) {
            throw new ProfilerException("TelemetryProfiler: " + e.getMessage());
        }
    }

    private static long parseLong(String k, String v) throws ProfilerException {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ProfilerException("TelemetryProfiler option " + k + " must be an integer, got '" + v + "'");
        }
    }

    private static double parseDouble(String k, String v) throws ProfilerException {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new ProfilerException("TelemetryProfiler option " + k + " must be a number, got '" + v + "'");
        }
    }

    @Override
    public String getDescription() {
        return "edgebench telemetry: power, energy, J/token, tok/s/W, temperature, clocks, throttling (NVML, Jetson sysfs, RAPL)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        if (!config.enabled() || broken || finished) {
            return;
        }
        try {
            if (session == null) {
                start();
            }
            generatedAtStart = WorkCounter.generatedTokens();
            prefillAtStart = WorkCounter.prefillTokens();
            session.beginWindow();
        } catch (RuntimeException e) {
            fail("could not start an iteration's window: " + ErrorTally.describe(e));
        }
    }

    private void start() {
        startedAt = Instant.now().toString();
        session = TelemetrySession.start(config);
        opened = session.opened();
        hasReasons = opened.channels().stream().anyMatch(c -> c.quantity() == Quantity.CLOCK_EVENT_REASONS);
        System.out.println("# Telemetry: " + describe(opened, config));
        if (cooldown != null) {
            cooldownResult = Cooldown.await(session, cooldown);
            System.out.println("# Telemetry cool-down: " + cooldownResult.note());
        }
    }

    /** One line: period, power source, open samplers, unavailable ones with the first line of each reason. */
    static String describe(TelemetrySession.Opened o, TelemetryConfig config) {
        StringBuilder sb = new StringBuilder("every ").append(config.period().toMillis()).append(" ms; power: ")
                .append(o.power() == null ? "none" : o.powerSampler() + " " + o.power().description());
        List<String> open = new ArrayList<>();
        for (Sampler s : o.detection().samplers()) {
            open.add(s.name() + " (" + s.channels().size() + " channels)");
        }
        sb.append("; samplers: ").append(open.isEmpty() ? "none" : String.join(", ", open));
        List<String> off = new ArrayList<>();
        for (Probe.Unavailable u : o.detection().unavailable()) {
            String first = u.reason().lines().findFirst().orElse("");
            off.add(u.name() + " (" + (first.length() > 140 ? first.substring(0, 140) + "..." : first) + ")");
        }
        if (!off.isEmpty()) {
            sb.append("; unavailable: ").append(String.join(", ", off));
        }
        return sb.toString();
    }

    @Override
    @SuppressWarnings("rawtypes") // the signature is JMH's
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        if (!config.enabled() || finished) {
            return List.of();
        }
        boolean warmup = iterationParams.getType() == IterationType.WARMUP;
        int index = warmup ? ++warmupDone : ++measurementDone;
        List<Result<?>> out = new ArrayList<>();
        if (!broken && session != null) {
            try {
                WindowSummary w = session.endWindow();
                long generated = WorkCounter.generatedTokens() - generatedAtStart;
                long prefilled = WorkCounter.prefillTokens() - prefillAtStart;
                iterations.add(TelemetryReport.Iteration.of(warmup ? "warmup" : "measurement", index, w, generated, prefilled));
                results(w, generated, out);
            } catch (RuntimeException e) {
                fail("could not end an iteration's window: " + ErrorTally.describe(e));
            }
        }
        if (!warmup && measurementDone >= iterationParams.getCount()) {
            finish(benchmarkParams);
        }
        return out;
    }

    private void results(WindowSummary w, long generatedTokens, List<Result<?>> out) {
        scalar(out, Metric.POWER_AVG_W, w.powerAvgW());
        scalar(out, Metric.POWER_PEAK_W, w.powerPeakW());
        scalar(out, Metric.ENERGY_SAMPLE_J, w.energyJ());
        scalar(out, Metric.ENERGY_FROM_COUNTER, w.energyFromCounter());
        if (generatedTokens > 0) {
            scalar(out, Metric.ENERGY_PER_TOKEN_J, w.energyJ() / generatedTokens);
            scalar(out, Metric.TOK_PER_S_PER_W, w.energyJ() > 0 ? generatedTokens / w.energyJ() : Double.NaN);
        }
        scalar(out, Metric.TEMP_MAX_C, w.tempMaxC());
        scalar(out, Metric.GPU_CLOCK_MIN_MHZ, w.gpuClockMinMhz());
        scalar(out, Metric.GPU_CLOCK_MAX_MHZ, w.gpuClockMaxMhz());
        if (hasReasons) {
            scalar(out, Metric.THROTTLED, w.throttled() ? 1 : 0);
            out.add(new BitmaskResult("throttle.reasons", w.clockEventReasons()));
        }
        scalar(out, Metric.RSS_PEAK_SAMPLED_MIB, w.rssPeakBytes() / (1 << 20));
        scalar(out, Metric.GPU_MEMORY_PEAK_MIB, w.gpuMemoryPeakBytes() / (1 << 20));
        scalar(out, Metric.SAMPLER_COST_US, w.samplerCpuMeanUs());
        scalar(out, Metric.SAMPLER_WALL_US, w.samplerWallMeanUs());
        if (cooldownResult != null) {
            scalar(out, Metric.COOLDOWN_WAIT_S, cooldownResult.waitedS());
        }
    }

    private static void scalar(List<Result<?>> out, Metric m, double value) {
        if (!Double.isNaN(value) && !Double.isInfinite(value)) {
            out.add(Metrics.scalar(m, value));
        }
    }

    private void fail(String why) {
        broken = true;
        errors.add(why);
        System.out.println("# Telemetry: " + why + "; the benchmark continues without telemetry");
        if (session != null) {
            session.close();
        }
    }

    private void finish(BenchmarkParams bp) {
        finished = true;
        if (session == null) {
            return;
        }
        session.close();
        dev.edgebench.run.RunFolder folder = RunFiles.folder();
        if (folder == null) {
            return;
        }
        Path file = folder.telemetry(BenchId.of(bp));
        try {
            List<TelemetryReport.Fork> forks = new ArrayList<>();
            if (Files.exists(file)) {
                forks.addAll(TelemetryReport.read(file).forks());
            }
            forks.add(fork(forks.size()));
            Map<String, String> params = new LinkedHashMap<>();
            for (String k : bp.getParamsKeys()) {
                params.put(k, bp.getParam(k));
            }
            new TelemetryReport(TelemetryReport.SCHEMA, bp.getBenchmark(), BenchId.of(bp), bp.getMode().shortLabel(), params,
                    bp.getWarmupForks(), forks).write(file);
        } catch (IOException | RuntimeException e) {
            System.out.println("# Telemetry: could not write " + file + ": " + ErrorTally.describe(e));
        }
    }

    private TelemetryReport.Fork fork(int ordinal) {
        List<TelemetryReport.SamplerInfo> samplers = new ArrayList<>();
        List<TelemetryReport.UnavailableInfo> unavailable = new ArrayList<>();
        Map<String, String> facts = Map.of();
        List<String> notes = List.of();
        String power = null;
        if (opened != null) {
            for (Sampler s : opened.detection().samplers()) {
                samplers.add(new TelemetryReport.SamplerInfo(s.name(),
                        s.channels().stream().map(c -> c.name() + " [" + c.unit() + "]").toList(),
                        s.errors().count(), s.errors().first()));
            }
            for (Probe.Unavailable u : opened.detection().unavailable()) {
                unavailable.add(new TelemetryReport.UnavailableInfo(u.name(), u.reason()));
            }
            facts = opened.facts();
            notes = opened.notes();
            power = opened.power() == null ? null : opened.powerSampler() + ": " + opened.power().description();
        }
        return new TelemetryReport.Fork(ordinal, ProcessHandle.current().pid(), startedAt, config.period().toMillis(), samplers,
                unavailable, power, facts, notes, cooldownResult == null ? null : TelemetryReport.CooldownInfo.of(cooldownResult),
                iterations, errors);
    }
}
