package dev.edgebench.telemetry;

import dev.edgebench.run.RunFolder;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The telemetry of one benchmark in a run: the file {@code <run dir>/telemetry/<benchmark id>.json}
 * that {@code TelemetryProfiler} writes, one {@link Fork} per JMH fork, each with its iterations.
 * This record is the file's schema ({@value #SCHEMA}); values that could not be measured are
 * {@code null}.
 *
 * @param schema      {@value #SCHEMA}
 * @param benchmark   the benchmark method, e.g. {@code dev.edgebench.bench.Decode.decode}
 * @param benchmarkId JMH's id of the benchmark with its mode and parameters
 * @param mode        JMH mode
 * @param params      the benchmark's {@code @Param} values
 * @param warmupForks how many of the first forks are JMH warm-up forks (their iterations do not count)
 * @param forks       in the order they ran
 */
public record TelemetryReport(String schema, String benchmark, String benchmarkId, String mode, Map<String, String> params,
                              int warmupForks, List<Fork> forks) {
    /** The schema name and version written into every file. */
    public static final String SCHEMA = "edgebench.telemetry/1";
    /** Fact key of the Jetson power mode. */
    public static final String FACT_POWER_MODE = JetsonSampler.NAME + "." + JetsonSampler.FACT_POWER_MODE;
    /** Fact key of whether the Jetson clocks were locked. */
    public static final String FACT_CLOCKS_LOCKED = JetsonSampler.NAME + "." + JetsonSampler.FACT_CLOCKS_LOCKED;
    /** Fact key of how that was decided. */
    public static final String FACT_CLOCKS_LOCKED_DETAIL = JetsonSampler.NAME + "." + JetsonSampler.FACT_CLOCKS_LOCKED_DETAIL;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public TelemetryReport {
        params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
        forks = forks == null ? List.of() : List.copyOf(forks);
    }

    /**
     * One JMH fork (one JVM) of the benchmark.
     *
     * @param ordinal      0 for the first fork that wrote to the file, 1 for the next, ...
     * @param pid          the fork's process id
     * @param startedAt    ISO-8601 time the telemetry started
     * @param periodMs     sampling period, ms
     * @param samplers     the samplers that were open
     * @param unavailable  the sampler kinds that were not, with the reasons
     * @param powerSource  what power and energy figures cover, or null when no power was read
     * @param facts        facts read once (power mode, clocks locked, GPU names, driver version), keys prefixed by sampler
     * @param notes        what samplers found but could not read
     * @param cooldown     the cool-down before the first iteration, or null when none was asked for
     * @param iterations   warm-up and measurement iterations, in order
     * @param errors       telemetry failures during the run (the benchmark itself ran on)
     */
    public record Fork(int ordinal, long pid, String startedAt, long periodMs, List<SamplerInfo> samplers,
                       List<UnavailableInfo> unavailable, String powerSource, Map<String, String> facts, List<String> notes,
                       CooldownInfo cooldown, List<Iteration> iterations, List<String> errors) {
        public Fork {
            samplers = samplers == null ? List.of() : List.copyOf(samplers);
            unavailable = unavailable == null ? List.of() : List.copyOf(unavailable);
            facts = facts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(facts));
            notes = notes == null ? List.of() : List.copyOf(notes);
            iterations = iterations == null ? List.of() : List.copyOf(iterations);
            errors = errors == null ? List.of() : List.copyOf(errors);
        }
    }

    /**
     * An open sampler.
     *
     * @param name       its name
     * @param channels   its channels as {@code name [unit]}
     * @param readErrors read failures while sampling
     * @param firstError the first failure, or null
     */
    public record SamplerInfo(String name, List<String> channels, long readErrors, String firstError) {
    }

    /** A sampler kind that was not available, and why. */
    public record UnavailableInfo(String sampler, String reason) {
    }

    /** The cool-down before the first iteration; see {@link Cooldown.Result}. */
    public record CooldownInfo(double targetC, double maxS, double waitedS, Double startC, Double endC, boolean reached, String note) {
        /** @return the record of a cool-down result */
        public static CooldownInfo of(Cooldown.Result r) {
            return new CooldownInfo(r.targetC(), r.maxS(), r.waitedS(), orNull(r.startC()), orNull(r.endC()), r.reached(), r.note());
        }
    }

    /**
     * One iteration: {@link WindowSummary} plus the work done, in JSON-friendly units.
     *
     * @param type                  {@code warmup} or {@code measurement}
     * @param index                 1-based within its type
     * @param durationS             window length, s
     * @param samples               samples in the window
     * @param generatedTokens       tokens generated during the window (WorkCounter difference)
     * @param prefillTokens         tokens prefilled during the window
     * @param energyJ               energy, J
     * @param energySource          {@code counter}, {@code integrated}, {@code counter+integrated} or {@code none}
     * @param energyFromPowerJ      energy integrated from power readings alone, J: beside a counter, its cross-check
     * @param counterResets         counter resets (those intervals integrated)
     * @param counterWraps          counter wrap-arounds undone
     * @param intervalsWithoutReading intervals missing from the energy
     * @param powerAvgW             mean power, W
     * @param powerPeakW            highest sampled power, W
     * @param jPerToken             J per generated token
     * @param tokPerSPerW           generated tokens per second per watt (= tokens per joule)
     * @param tempMaxC              hottest sensor, °C
     * @param gpuClockMinMhz        lowest GPU clock, MHz
     * @param gpuClockMaxMhz        highest GPU clock, MHz
     * @param throttled             whether a throttling reason was seen
     * @param throttledSamples      samples with a throttling reason
     * @param clockEventReasons     all reason bits seen
     * @param clockEventReasonNames their names
     * @param rssPeakMib             peak resident set size, MiB
     * @param gpuMemoryPeakMib       highest GPU memory in use, MiB
     * @param samplerWallMeanUs     mean wall-clock time of one sample, µs
     * @param samplerWallMaxUs      longest sample, µs
     * @param samplerCpuMeanUs      mean CPU time of one sample on the sampling thread, µs
     * @param samplerWallMeanUsBySampler mean wall-clock time per sampler, µs
     * @param channels              every channel's min, mean and max
     */
    public record Iteration(String type, int index, double durationS, int samples, long generatedTokens, long prefillTokens,
                            Double energyJ, String energySource, Double energyFromPowerJ, int counterResets, int counterWraps,
                            int intervalsWithoutReading, Double powerAvgW, Double powerPeakW, Double jPerToken,
                            Double tokPerSPerW, Double tempMaxC, Double gpuClockMinMhz, Double gpuClockMaxMhz,
                            boolean throttled, int throttledSamples, long clockEventReasons,
                            List<String> clockEventReasonNames, Double rssPeakMib, Double gpuMemoryPeakMib,
                            Double samplerWallMeanUs, Double samplerWallMaxUs, Double samplerCpuMeanUs,
                            Map<String, Double> samplerWallMeanUsBySampler, List<ChannelInfo> channels) {
        /** @return whether this is a measurement (not warm-up) iteration */
        @JsonIgnore
        public boolean measurement() {
            return "measurement".equals(type);
        }

        /**
         * Builds an iteration record from a window and the tokens generated in it.
         *
         * @param type            {@code warmup} or {@code measurement}
         * @param index           1-based within its type
         * @param w               the window
         * @param generatedTokens tokens generated; per-token figures are left out when 0
         * @param prefillTokens   tokens prefilled
         */
        public static Iteration of(String type, int index, WindowSummary w, long generatedTokens, long prefillTokens) {
            Double perToken = generatedTokens > 0 ? orNull(w.energyJ() / generatedTokens) : null;
            Double perJoule = generatedTokens > 0 && w.energyJ() > 0 ? orNull(generatedTokens / w.energyJ()) : null;
            Map<String, Double> costBy = new LinkedHashMap<>();
            w.samplerWallMeanUsBy().forEach((k, v) -> costBy.put(k, orNull(v)));
            List<ChannelInfo> ch = w.channels().stream().map(c -> new ChannelInfo(c.name(), c.unit(), orNull(c.min()),
                    orNull(c.mean()), orNull(c.max()), c.samples())).toList();
            return new Iteration(type, index, w.durationS(), w.samples(), generatedTokens, prefillTokens, orNull(w.energyJ()),
                    w.energySource().label(), orNull(w.energyFromPowerJ()), w.counterResets(), w.counterWraps(), w.intervalsWithoutReading(),
                    orNull(w.powerAvgW()), orNull(w.powerPeakW()), perToken, perJoule, orNull(w.tempMaxC()),
                    orNull(w.gpuClockMinMhz()), orNull(w.gpuClockMaxMhz()), w.throttled(), w.throttledSamples(),
                    w.clockEventReasons(), ThrottleReason.names(w.clockEventReasons()), orNull(w.rssPeakBytes() / (1 << 20)),
                    orNull(w.gpuMemoryPeakBytes() / (1 << 20)), orNull(w.samplerWallMeanUs()), orNull(w.samplerWallMaxUs()),
                    orNull(w.samplerCpuMeanUs()), costBy, ch);
        }
    }

    /** One channel over an iteration; see {@link WindowSummary.ChannelStats}. */
    public record ChannelInfo(String name, String unit, Double min, Double mean, Double max, int samples) {
    }

    static Double orNull(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }

    /** @return the measurement iterations of the forks that count (not JMH warm-up forks) */
    @JsonIgnore
    public List<Iteration> measurementIterations() {
        List<Iteration> out = new ArrayList<>();
        for (Fork f : forks) {
            if (f.ordinal() >= warmupForks) {
                f.iterations().stream().filter(Iteration::measurement).forEach(out::add);
            }
        }
        return out;
    }

    /** @return whether any counted measurement iteration saw a throttling reason */
    @JsonIgnore
    public boolean throttled() {
        return measurementIterations().stream().anyMatch(Iteration::throttled);
    }

    /** @return whether the clocks were locked (Jetson), when known */
    @JsonIgnore
    public Optional<Boolean> clocksLocked() {
        return fact(FACT_CLOCKS_LOCKED).filter(v -> v.equals("true") || v.equals("false")).map(Boolean::parseBoolean);
    }

    /** @return the Jetson power mode, when read */
    @JsonIgnore
    public Optional<String> powerMode() {
        return fact(FACT_POWER_MODE);
    }

    /** @return the power source of the last fork, when there was one */
    @JsonIgnore
    public Optional<String> powerSource() {
        return forks.isEmpty() ? Optional.empty() : Optional.ofNullable(forks.get(forks.size() - 1).powerSource());
    }

    /** @return a fact of the last fork that has it */
    public Optional<String> fact(String key) {
        for (int i = forks.size() - 1; i >= 0; i--) {
            String v = forks.get(i).facts().get(key);
            if (v != null) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /**
     * @return what makes these numbers less comparable, one line each: throttling, unlocked clocks,
     *         missing power readings, counter resets, read errors, telemetry failures, a cool-down that
     *         did not reach its target; empty when nothing is wrong
     */
    @JsonIgnore
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        List<Iteration> its = measurementIterations();
        long throttledIts = its.stream().filter(Iteration::throttled).count();
        if (throttledIts > 0) {
            Set<String> names = new LinkedHashSet<>();
            for (Iteration it : its) {
                if (it.throttled()) {
                    for (String n : it.clockEventReasonNames()) {
                        for (ThrottleReason r : ThrottleReason.values()) {
                            if (r.name().equals(n) && r.throttling()) {
                                names.add(n);
                            }
                        }
                    }
                }
            }
            out.add("throttled in " + throttledIts + " of " + its.size() + " measurement iterations (" + String.join(", ", names) + ")");
        }
        Optional<Boolean> locked = clocksLocked();
        if (locked.isPresent() && !locked.get()) {
            out.add("clocks not locked (" + fact(FACT_CLOCKS_LOCKED_DETAIL).orElse("?") + "): run `sudo jetson_clocks` for comparable numbers");
        }
        if (!forks.isEmpty() && powerSource().isEmpty()) {
            out.add("no power reading on this machine: no energy, J/token or tok/s/W");
        }
        int resets = its.stream().mapToInt(Iteration::counterResets).sum();
        if (resets > 0) {
            out.add("energy counter reset " + resets + " time(s); those intervals were integrated from power readings");
        }
        int missing = its.stream().mapToInt(Iteration::intervalsWithoutReading).sum();
        if (missing > 0) {
            out.add(missing + " sampling interval(s) had no power reading; their energy was filled in at the mean power of the rest");
        }
        for (Fork f : forks) {
            for (SamplerInfo s : f.samplers()) {
                if (s.readErrors() > 0) {
                    out.add("fork " + f.ordinal() + ": " + s.name() + " had " + s.readErrors() + " read error(s), first: " + s.firstError());
                }
            }
            f.errors().forEach(e -> out.add("fork " + f.ordinal() + ": " + e));
            if (f.cooldown() != null && !f.cooldown().reached()) {
                out.add("fork " + f.ordinal() + " cool-down: " + f.cooldown().note());
            }
        }
        return out;
    }

    /** Writes this report to {@code file}, atomically where the file system allows. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), this);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a report file.
     *
     * @throws IOException when it cannot be read or is not a telemetry report of this schema
     */
    public static TelemetryReport read(Path file) throws IOException {
        TelemetryReport r;
        try {
            r = JSON.readValue(file.toFile(), TelemetryReport.class);
        } catch (IOException e) {
            throw new IOException("telemetry report " + file + " is unreadable: " + e.getMessage(), e);
        }
        if (!SCHEMA.equals(r.schema())) {
            throw new IOException("telemetry report " + file + " has schema '" + r.schema() + "', expected '" + SCHEMA + "'");
        }
        return r;
    }

    /**
     * Reads every report of a run, sorted by benchmark id.
     *
     * @param runDir the run folder (the one {@code edgebench.run.dir} named)
     * @return the reports; empty when the run has no {@code telemetry} folder
     */
    public static List<TelemetryReport> readRun(Path runDir) throws IOException {
        Path dir = runDir.resolve("telemetry");
        List<TelemetryReport> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : s) {
                out.add(read(p));
            }
        }
        out.sort((a, b) -> a.benchmarkId().compareTo(b.benchmarkId()));
        return out;
    }

    /** @return the file name for a benchmark id: the run folder's common mapping ({@link RunFolder#fileName}) + ".json" */
    public static String fileName(String benchmarkId) {
        return RunFolder.fileName(benchmarkId) + ".json";
    }
}
