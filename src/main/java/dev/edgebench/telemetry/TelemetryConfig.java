package dev.edgebench.telemetry;

import dev.edgebench.telemetry.nvml.NvmlProvider;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How telemetry runs: whether at all, the sampling period, which samplers to look for, and where
 * they read from (the file system root, the file reader, the command runner and the NVML library,
 * all replaceable for tests).
 *
 * <p>System properties read by {@link #fromSystemProperties()}:
 * <ul>
 *   <li>{@code edgebench.telemetry}: {@code on} (default) or {@code off};</li>
 *   <li>{@code edgebench.telemetry.periodMs}: sampling period in ms, 1 to 60000 (default 100);</li>
 *   <li>{@code edgebench.telemetry.samplers}: comma list out of {@code nvml,jetson,thermal,host} (default all);</li>
 *   <li>{@code edgebench.telemetry.root}: the file system root sysfs and procfs are read under (default {@code /}).</li>
 * </ul>
 *
 * @param enabled  false: no sampler is opened and no thread started
 * @param period   time between samples
 * @param samplers the sampler kinds to look for, from {@link #ALL_SAMPLERS}
 * @param root     file system root; {@code /} on a real machine
 * @param files    reads sysfs and procfs
 * @param commands runs {@code nvpmodel} and {@code jetson_clocks}
 * @param nvml     opens NVML
 */
public record TelemetryConfig(boolean enabled, Duration period, Set<String> samplers, Path root, SysFiles files,
                              CommandRunner commands, NvmlProvider nvml) {
    /** Every sampler kind, in the order they are opened. */
    public static final List<String> ALL_SAMPLERS = List.of("nvml", "jetson", "thermal", "host");
    /** The default sampling period. */
    public static final Duration DEFAULT_PERIOD = Duration.ofMillis(100);

    public TelemetryConfig {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(nvml, "nvml");
        if (period.toMillis() < 1 || period.toMillis() > 60_000) {
            throw new IllegalArgumentException("telemetry period must be 1 to 60000 ms, got " + period.toMillis() + " ms");
        }
        samplers = Set.copyOf(samplers);
        for (String s : samplers) {
            if (!ALL_SAMPLERS.contains(s)) {
                throw new IllegalArgumentException("unknown telemetry sampler '" + s + "'; known: " + String.join(",", ALL_SAMPLERS));
            }
        }
    }

    /** @return telemetry on, every sampler, 100 ms, the real machine */
    public static TelemetryConfig defaults() {
        return new TelemetryConfig(true, DEFAULT_PERIOD, Set.copyOf(ALL_SAMPLERS), Path.of("/"), SysFiles.real(),
                CommandRunner.system(), NvmlProvider.system());
    }

    /**
     * @return the defaults changed by the {@code edgebench.telemetry*} system properties
     * @throws IllegalArgumentException naming the property and the bad value
     */
    public static TelemetryConfig fromSystemProperties() {
        TelemetryConfig c = defaults();
        String on = System.getProperty("edgebench.telemetry");
        if (on != null) {
            switch (on.strip().toLowerCase(Locale.ROOT)) {
                case "on", "true", "1", "" -> { }
                case "off", "false", "0" -> c = c.withEnabled(false);
                default -> throw new IllegalArgumentException("edgebench.telemetry must be on or off, got '" + on + "'");
            }
        }
        String period = System.getProperty("edgebench.telemetry.periodMs");
        if (period != null) {
            c = c.withPeriod(Duration.ofMillis(parseLong("edgebench.telemetry.periodMs", period)));
        }
        String samplers = System.getProperty("edgebench.telemetry.samplers");
        if (samplers != null) {
            c = c.withSamplers(parseSamplers(samplers));
        }
        String root = System.getProperty("edgebench.telemetry.root");
        if (root != null && !root.isBlank()) {
            c = c.withRoot(Path.of(root));
        }
        return c;
    }

    /** @return the sampler names of a comma list, checked */
    public static Set<String> parseSamplers(String list) {
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
        for (String s : out) {
            if (!ALL_SAMPLERS.contains(s)) {
                throw new IllegalArgumentException("unknown telemetry sampler '" + s + "' in '" + list + "'; known: "
                        + String.join(",", ALL_SAMPLERS));
            }
        }
        return out;
    }

    static long parseLong(String property, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be an integer, got '" + value + "'");
        }
    }

    public TelemetryConfig withEnabled(boolean v) {
        return new TelemetryConfig(v, period, samplers, root, files, commands, nvml);
    }

    public TelemetryConfig withPeriod(Duration v) {
        return new TelemetryConfig(enabled, v, samplers, root, files, commands, nvml);
    }

    public TelemetryConfig withSamplers(Set<String> v) {
        return new TelemetryConfig(enabled, period, v, root, files, commands, nvml);
    }

    public TelemetryConfig withRoot(Path v) {
        return new TelemetryConfig(enabled, period, samplers, v, files, commands, nvml);
    }

    public TelemetryConfig withCommands(CommandRunner v) {
        return new TelemetryConfig(enabled, period, samplers, root, files, v, nvml);
    }

    public TelemetryConfig withNvml(NvmlProvider v) {
        return new TelemetryConfig(enabled, period, samplers, root, files, commands, v);
    }
}
