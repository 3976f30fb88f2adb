package dev.edgebench.telemetry;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jetson (Orin, Thor) telemetry from sysfs: the INA3221 power rails, the GPU's devfreq clock and
 * load, and, once when opened, the power mode ({@code nvpmodel -q}) and whether the clocks are
 * locked ({@code jetson_clocks --show}).
 *
 * <p>Rails: every {@code /sys/bus/i2c/devices/*} whose {@code name} is {@code ina3221}, then each
 * {@code hwmon/hwmon*} under it, channels 1 to 3 (an INA3221 has three; {@code in4..in7} are shunt
 * and sum voltages, not rails): {@code in<N>_label} names the rail, {@code in<N>_input} is its bus
 * voltage in mV and {@code curr<N>_input} its current in mA, so P [mW] = mV x mA / 1000. Channels
 * labelled {@code NC} (not connected) and unlabelled channels are skipped. The board's power is the
 * first rail whose label contains {@code _IN} ({@code VDD_IN} on Orin NX/Nano, the module input),
 * else the sum of all rails (AGX Orin, Thor), as jetson-stats does.
 *
 * <p>GPU: the {@code /sys/class/devfreq/*} node whose {@code device/of_node/name} is one of
 * {@code gv11b, gp10b, ga10b, gb10b, gpu}, else the node named like {@code *gpc*} (Thor's
 * {@code gpu-gpc-0}), else the first named {@code *gpu*}; {@code cur_freq} in Hz, load from
 * {@code device/load} in per-mille.
 *
 * <p>Jetson has no throttle-reason register that sysfs exposes, so the sampler sets
 * {@link ThrottleReason#JETSON_GPU_CLOCK_CAPPED} from the clock: when {@code max_freq} falls below
 * its value at open (a thermal or power cap), or the clock is under {@value #CAPPED_FRACTION} of
 * that maximum while the GPU is at least {@value #BUSY_LOAD_PERCENT}% busy or the clocks are
 * locked. Under DVFS (clocks not locked) this is a heuristic; the run is then flagged as unlocked
 * anyway.
 *
 * <p>Threading: see {@link Sampler}.
 */
public final class JetsonSampler implements Sampler {
    /** This sampler's name. */
    public static final String NAME = "jetson";
    /** Fact: the power mode, e.g. {@code MAXN (mode 0)}, or why it is unknown. */
    public static final String FACT_POWER_MODE = "power_mode";
    /** Fact: {@code true}, {@code false} or {@code unknown}. */
    public static final String FACT_CLOCKS_LOCKED = "clocks_locked";
    /** Fact: how {@link #FACT_CLOCKS_LOCKED} was decided, with the frequencies seen. */
    public static final String FACT_CLOCKS_LOCKED_DETAIL = "clocks_locked_detail";

    static final Set<String> GPU_OF_NODE_NAMES = Set.of("gv11b", "gp10b", "ga10b", "gb10b", "gpu");
    static final double CAPPED_FRACTION = 0.85;
    static final double BUSY_LOAD_PERCENT = 80;
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    static final Pattern POWER_MODE = Pattern.compile("NV Power Mode:\\s*(\\S.*?)\\s*$", Pattern.MULTILINE);
    static final Pattern MIN_MAX = Pattern.compile("MinFreq=(\\d+)\\s+MaxFreq=(\\d+)");

    record Rail(String label, SysFiles.Attribute voltageMv, SysFiles.Attribute currentMa) {
    }

    private final List<Rail> rails;
    private final SysFiles.Attribute gpuCurFreqHz;
    private final SysFiles.Attribute gpuMaxFreqHz;
    private final SysFiles.Attribute gpuLoadPermille;
    private final double gpuMaxAtOpenMhz;
    private final boolean clocksLocked;
    private final List<Channel> channels;
    private final PowerSource powerSource;
    private final Map<String, String> facts;
    private final List<String> notes;
    private final ErrorTally errors = new ErrorTally();

    JetsonSampler(List<Rail> rails, SysFiles.Attribute gpuCurFreqHz, SysFiles.Attribute gpuMaxFreqHz,
                          SysFiles.Attribute gpuLoadPermille, double gpuMaxAtOpenMhz, boolean clocksLocked,
                          Map<String, String> facts, List<String> notes) {
        this.rails = List.copyOf(rails);
        this.gpuCurFreqHz = gpuCurFreqHz;
        this.gpuMaxFreqHz = gpuMaxFreqHz;
        this.gpuLoadPermille = gpuLoadPermille;
        this.gpuMaxAtOpenMhz = gpuMaxAtOpenMhz;
        this.clocksLocked = clocksLocked;
        this.facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        this.notes = List.copyOf(notes);
        List<Channel> ch = new ArrayList<>();
        for (Rail r : rails) {
            ch.add(new Channel("rail." + r.label + ".power", Quantity.POWER_MW));
        }
        if (gpuCurFreqHz != null) {
            ch.add(new Channel("gpu.clock", Quantity.GPU_CLOCK_MHZ));
            if (gpuLoadPermille != null) {
                ch.add(new Channel("gpu.load", Quantity.GPU_LOAD_PERCENT));
            }
            ch.add(new Channel("gpu.clock_events", Quantity.CLOCK_EVENT_REASONS));
        }
        this.channels = List.copyOf(ch);
        this.powerSource = rails.isEmpty() ? null : powerSourceOf(this.rails);
    }

    private static PowerSource powerSourceOf(List<Rail> rails) {
        for (int i = 0; i < rails.size(); i++) {
            if (rails.get(i).label.contains("_IN")) {
                return new PowerSource(PowerSource.Scope.BOARD, rails.get(i).label + " (total input rail)",
                        List.of(PowerDomain.powerOnly(rails.get(i).label, i)));
            }
        }
        List<PowerDomain> domains = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < rails.size(); i++) {
            domains.add(PowerDomain.powerOnly(rails.get(i).label, i));
            labels.add(rails.get(i).label);
        }
        return new PowerSource(PowerSource.Scope.BOARD,
                "sum of rails " + String.join(" + ", labels) + " (no total input rail)", domains);
    }

    /**
     * Looks for Jetson power rails and a GPU devfreq node under {@code root} ({@link JetsonProbe}).
     *
     * @param root     file system root, {@code /} on a real machine; a fake tree in tests
     * @param files    how files are read
     * @param commands runs {@code nvpmodel -q} and {@code jetson_clocks --show}
     * @return the opened sampler, or why the machine is not a Jetson this sampler can read
     */
    public static Probe probe(Path root, SysFiles files, CommandRunner commands) {
        return JetsonProbe.probe(root, files, commands);
    }

    /** @return the mode name and number from {@code nvpmodel -q} output, or null ({@link JetsonProbe#parsePowerMode}) */
    static String parsePowerMode(CommandRunner.Result r) {
        return JetsonProbe.parsePowerMode(r);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Channel> channels() {
        return channels;
    }

    @Override
    public PowerSource powerSource() {
        return powerSource;
    }

    @Override
    public Map<String, String> facts() {
        return facts;
    }

    @Override
    public List<String> notes() {
        return notes;
    }

    @Override
    public void sample(double[] out, int offset) {
        int i = offset;
        for (Rail r : rails) {
            double p;
            try {
                p = r.voltageMv.readLong() * (double) r.currentMa.readLong() / 1000.0;
            } catch (IOException e) {
                errors.record("rail " + r.label, e);
                p = Double.NaN;
            }
            out[i++] = p;
        }
        if (gpuCurFreqHz != null) {
            double clockMhz = readScaled(gpuCurFreqHz, 1e-6);
            double maxMhz = gpuMaxFreqHz == null ? Double.NaN : readScaled(gpuMaxFreqHz, 1e-6);
            double loadPercent = Double.NaN;
            out[i++] = clockMhz;
            if (gpuLoadPermille != null) {
                loadPercent = readScaled(gpuLoadPermille, 0.1);
                out[i++] = loadPercent;
            }
            out[i] = capped(clockMhz, maxMhz, loadPercent) ? ThrottleReason.JETSON_GPU_CLOCK_CAPPED.bit() : 0;
        }
    }

    private boolean capped(double clockMhz, double maxMhz, double loadPercent) {
        if (Double.isNaN(gpuMaxAtOpenMhz)) {
            return false;
        }
        if (!Double.isNaN(maxMhz) && maxMhz < gpuMaxAtOpenMhz) {
            return true;
        }
        boolean busy = clocksLocked || (!Double.isNaN(loadPercent) && loadPercent >= BUSY_LOAD_PERCENT);
        return busy && !Double.isNaN(clockMhz) && clockMhz < CAPPED_FRACTION * gpuMaxAtOpenMhz;
    }

    private double readScaled(SysFiles.Attribute a, double scale) {
        try {
            return a.readLong() * scale;
        } catch (IOException e) {
            errors.record(a.path().toString(), e);
            return Double.NaN;
        }
    }

    @Override
    public ErrorTally errors() {
        return errors;
    }

    @Override
    public void close() {
        for (Rail r : rails) {
            r.voltageMv.close();
            r.currentMa.close();
        }
        JetsonProbe.closeQuietly(gpuCurFreqHz);
        JetsonProbe.closeQuietly(gpuMaxFreqHz);
        JetsonProbe.closeQuietly(gpuLoadPermille);
    }
}
