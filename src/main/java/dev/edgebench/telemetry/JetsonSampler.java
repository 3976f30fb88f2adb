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
    private static final Pattern POWER_MODE = Pattern.compile("NV Power Mode:\\s*(\\S.*?)\\s*$", Pattern.MULTILINE);
    private static final Pattern MIN_MAX = Pattern.compile("MinFreq=(\\d+)\\s+MaxFreq=(\\d+)");

    private record Rail(String label, SysFiles.Attribute voltageMv, SysFiles.Attribute currentMa) {
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

    private JetsonSampler(List<Rail> rails, SysFiles.Attribute gpuCurFreqHz, SysFiles.Attribute gpuMaxFreqHz,
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
     * Looks for Jetson power rails and a GPU devfreq node under {@code root}.
     *
     * @param root     file system root, {@code /} on a real machine; a fake tree in tests
     * @param files    how files are read
     * @param commands runs {@code nvpmodel -q} and {@code jetson_clocks --show}
     * @return the opened sampler, or why the machine is not a Jetson this sampler can read
     */
    public static Probe probe(Path root, SysFiles files, CommandRunner commands) {
        List<String> notes = new ArrayList<>();
        Map<String, String> facts = new LinkedHashMap<>();
        List<Rail> rails = findRails(root, files, notes, facts);
        Path i2c = root.resolve("sys/bus/i2c/devices");

        Path gpuNode = findGpuNode(root.resolve("sys/class/devfreq"), files, notes);
        SysFiles.Attribute cur = null;
        SysFiles.Attribute max = null;
        SysFiles.Attribute load = null;
        double maxAtOpenMhz = Double.NaN;
        Long devfreqMinHz = null;
        Long devfreqMaxHz = null;
        if (gpuNode != null) {
            cur = openProbed(files, gpuNode.resolve("cur_freq"), "GPU clock", notes);
            if (cur != null) {
                max = openProbed(files, gpuNode.resolve("max_freq"), "GPU max clock", notes);
                load = openProbed(files, gpuNode.resolve("device/load"), "GPU load", notes);
                devfreqMaxHz = readLongOnce(files, gpuNode.resolve("max_freq"), "GPU max clock", notes);
                devfreqMinHz = readLongOnce(files, gpuNode.resolve("min_freq"), "GPU min clock", notes);
                maxAtOpenMhz = devfreqMaxHz == null ? Double.NaN : devfreqMaxHz / 1e6;
                String governor = readOrNull(files, gpuNode.resolve("governor"));
                facts.put("gpu_devfreq", gpuNode.getFileName() + ": min " + mhz(devfreqMinHz) + ", max " + mhz(devfreqMaxHz)
                        + (governor == null ? "" : ", governor " + governor));
            }
        }
        boolean tegraRelease = Files.isRegularFile(root.resolve("etc/nv_tegra_release"));
        if (rails.isEmpty() && cur == null) {
            closeQuietly(max);
            closeQuietly(load);
            String why = "no INA3221 power monitor (no " + i2c + "/*/name reading ina3221) and no GPU devfreq node (no "
                    + root.resolve("sys/class/devfreq") + "/*/device/of_node/name in " + String.join("|", sortedGpuNames())
                    + ", no node named *gpu*)";
            if (!notes.isEmpty()) {
                why += "; " + String.join("; ", notes);
            }
            if (tegraRelease) {
                why = "this is a Jetson (" + root.resolve("etc/nv_tegra_release") + " exists), but " + why;
            }
            return new Probe.Unavailable(NAME, why);
        }

        CommandRunner.Result nvpmodel = commands.run(List.of("nvpmodel", "-q"), COMMAND_TIMEOUT);
        CommandRunner.Result clocks = commands.run(List.of("jetson_clocks", "--show"), COMMAND_TIMEOUT);
        String mode = parsePowerMode(nvpmodel);
        if (mode == null) {
            mode = parsePowerMode(clocks);
            if (mode != null) {
                mode = mode + " (from jetson_clocks --show; nvpmodel -q: " + nvpmodel.problem() + ")";
            }
        }
        facts.put(FACT_POWER_MODE, mode != null ? mode
                : "unknown (nvpmodel -q: " + nvpmodel.problem() + "; jetson_clocks --show: " + clocks.problem() + ")");

        Boolean locked = null;
        String detail;
        String fromTool = clocks.failure() == null ? lockedFromJetsonClocks(clocks.output()) : null;
        if (fromTool != null) {
            locked = fromTool.startsWith("locked");
            detail = "jetson_clocks --show: " + fromTool;
        } else if (devfreqMinHz != null && devfreqMaxHz != null) {
            locked = devfreqMinHz.equals(devfreqMaxHz);
            detail = "GPU devfreq min_freq " + mhz(devfreqMinHz) + (locked ? " = " : " < ") + "max_freq " + mhz(devfreqMaxHz)
                    + " (CPU clocks not checked; jetson_clocks --show: " + clocks.problem() + ")";
        } else {
            detail = "jetson_clocks --show: " + clocks.problem() + "; no GPU devfreq min/max to compare";
        }
        facts.put(FACT_CLOCKS_LOCKED, locked == null ? "unknown" : locked.toString());
        facts.put(FACT_CLOCKS_LOCKED_DETAIL, detail);
        return new Probe.Available(new JetsonSampler(rails, cur, max, load, maxAtOpenMhz, Boolean.TRUE.equals(locked),
                facts, notes));
    }

    private static List<String> sortedGpuNames() {
        return GPU_OF_NODE_NAMES.stream().sorted().toList();
    }

    private static List<Rail> findRails(Path root, SysFiles files, List<String> notes, Map<String, String> facts) {
        List<Rail> rails = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        List<String> where = new ArrayList<>();
        for (Path dev : list(root.resolve("sys/bus/i2c/devices"), notes)) {
            Path nameFile = dev.resolve("name");
            if (!Files.exists(nameFile)) {
                continue;
            }
            String name;
            try {
                name = files.readString(nameFile);
            } catch (IOException e) {
                notes.add("I2C device name " + nameFile + ": " + ErrorTally.describe(e));
                continue;
            }
            if (!name.equals("ina3221")) {
                if (name.startsWith("ina3221")) {
                    notes.add(dev + ": driver " + name + " (JetPack 4 IIO layout) is not read; only the hwmon ina3221 driver is");
                }
                continue;
            }
            List<Path> hwmons = list(dev.resolve("hwmon"), notes).stream()
                    .filter(p -> p.getFileName().toString().startsWith("hwmon")).toList();
            if (hwmons.isEmpty()) {
                notes.add(dev + ": ina3221 without a hwmon/hwmon* folder");
            }
            for (Path hw : hwmons) {
                List<String> here = new ArrayList<>();
                for (int n = 1; n <= 3; n++) {
                    Path labelFile = hw.resolve("in" + n + "_label");
                    if (!Files.exists(labelFile)) {
                        continue;
                    }
                    String label;
                    try {
                        label = files.readString(labelFile);
                    } catch (IOException e) {
                        notes.add("rail label " + labelFile + ": " + ErrorTally.describe(e));
                        continue;
                    }
                    if (label.isEmpty() || label.equalsIgnoreCase("NC")) {
                        continue;
                    }
                    SysFiles.Attribute mv = openProbed(files, hw.resolve("in" + n + "_input"), "rail " + label + " voltage", notes);
                    SysFiles.Attribute ma = mv == null ? null
                            : openProbed(files, hw.resolve("curr" + n + "_input"), "rail " + label + " current", notes);
                    if (mv == null || ma == null) {
                        closeQuietly(mv);
                        continue;
                    }
                    String unique = label;
                    for (int k = 2; !labels.add(unique); k++) {
                        unique = label + "#" + k;
                    }
                    rails.add(new Rail(unique, mv, ma));
                    here.add(unique);
                }
                where.add(root.relativize(hw) + " (" + (here.isEmpty() ? "no readable rail" : String.join(", ", here)) + ")");
            }
        }
        if (!where.isEmpty()) {
            facts.put("ina3221", String.join("; ", where));
        }
        return rails;
    }

    private static Path findGpuNode(Path devfreq, SysFiles files, List<String> notes) {
        List<Path> nodes = list(devfreq, notes);
        Path byOfNode = null;
        Path byGpc = null;
        Path byGpu = null;
        for (Path node : nodes) {
            String dir = node.getFileName().toString().toLowerCase(Locale.ROOT);
            Path ofName = node.resolve("device/of_node/name");
            if (byOfNode == null && Files.exists(ofName)) {
                try {
                    if (GPU_OF_NODE_NAMES.contains(files.readString(ofName))) {
                        byOfNode = node;
                    }
                } catch (IOException e) {
                    notes.add("devfreq node name " + ofName + ": " + ErrorTally.describe(e));
                }
            }
            if (byGpc == null && dir.contains("gpc")) {
                byGpc = node;
            }
            if (byGpu == null && dir.contains("gpu") && !dir.contains("nvd")) {
                byGpu = node;
            }
        }
        return byOfNode != null ? byOfNode : byGpc != null ? byGpc : byGpu;
    }

    /** Lists a folder's entries sorted by name; a missing folder is empty, an unreadable one a note. */
    static List<Path> list(Path dir, List<String> notes) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        } catch (IOException e) {
            notes.add("cannot list " + dir + ": " + ErrorTally.describe(e));
            return List.of();
        }
        out.sort(null);
        return out;
    }

    /** Opens an attribute and reads it once; on failure adds a note and returns null. */
    static SysFiles.Attribute openProbed(SysFiles files, Path file, String what, List<String> notes) {
        if (!Files.exists(file)) {
            notes.add(what + ": " + file + " does not exist");
            return null;
        }
        SysFiles.Attribute a = null;
        try {
            a = files.open(file);
            a.readLong();
            return a;
        } catch (IOException e) {
            closeQuietly(a);
            notes.add(what + ": " + file + ": " + ErrorTally.describe(e));
            return null;
        }
    }

    private static Long readLongOnce(SysFiles files, Path file, String what, List<String> notes) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return Long.parseLong(files.readString(file));
        } catch (IOException | NumberFormatException e) {
            notes.add(what + ": " + file + ": " + ErrorTally.describe(e));
            return null;
        }
    }

    private static String readOrNull(SysFiles files, Path file) {
        try {
            return Files.exists(file) ? files.readString(file) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static void closeQuietly(SysFiles.Attribute a) {
        if (a != null) {
            a.close();
        }
    }

    private static String mhz(Long hz) {
        return hz == null ? "?" : String.format(Locale.ROOT, "%.1f MHz", hz / 1e6);
    }

    /** @return the mode name and number from {@code nvpmodel -q} (or {@code jetson_clocks --show}) output, or null */
    static String parsePowerMode(CommandRunner.Result r) {
        if (r.failure() != null) {
            return null;
        }
        Matcher m = POWER_MODE.matcher(r.output());
        if (!m.find()) {
            return null;
        }
        String name = m.group(1);
        String rest = r.output().substring(m.end()).strip();
        String firstLine = rest.lines().findFirst().orElse("").strip();
        return firstLine.matches("\\d+") ? name + " (mode " + firstLine + ")" : name;
    }

    /**
     * Decides from {@code jetson_clocks --show} whether the GPU and every CPU run at a fixed clock
     * (MinFreq = MaxFreq).
     *
     * @return "locked: ..." or "not locked: ..." with the ranges seen, or null when the output has no GPU line
     */
    static String lockedFromJetsonClocks(String output) {
        String gpu = null;
        boolean gpuLocked = false;
        int cpus = 0;
        int cpusLocked = 0;
        for (String line : output.lines().toList()) {
            String t = line.strip();
            Matcher m = MIN_MAX.matcher(t);
            if (!m.find()) {
                continue;
            }
            long min = Long.parseLong(m.group(1));
            long max = Long.parseLong(m.group(2));
            if (t.startsWith("GPU ")) {
                gpuLocked = min == max;
                gpu = String.format(Locale.ROOT, "GPU %.1f-%.1f MHz", min / 1e6, max / 1e6);
            } else if (t.matches("cpu\\d+:.*") && !t.contains("Online=0")) {
                cpus++;
                if (min == max) {
                    cpusLocked++;
                }
            }
        }
        if (gpu == null) {
            return null;
        }
        boolean locked = gpuLocked && cpusLocked == cpus;
        return (locked ? "locked: " : "not locked: ") + gpu + ", " + cpusLocked + " of " + cpus + " online CPUs at a fixed clock";
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
        closeQuietly(gpuCurFreqHz);
        closeQuietly(gpuMaxFreqHz);
        closeQuietly(gpuLoadPermille);
    }
}
