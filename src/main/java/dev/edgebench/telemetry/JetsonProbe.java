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
 * Finds what a Jetson board offers this sampler: the INA3221 power rails, the GPU's devfreq node,
 * the power mode ({@code nvpmodel -q}) and whether clocks are locked ({@code jetson_clocks
 * --show}), and opens a {@link JetsonSampler} over them; what it cannot read becomes a note.
 * Stateless.
 */
final class JetsonProbe {
    private JetsonProbe() {
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
        List<JetsonSampler.Rail> rails = findRails(root, files, notes, facts);
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
            return new Probe.Unavailable(JetsonSampler.NAME, why);
        }

        CommandRunner.Result nvpmodel = commands.run(List.of("nvpmodel", "-q"), JetsonSampler.COMMAND_TIMEOUT);
        CommandRunner.Result clocks = commands.run(List.of("jetson_clocks", "--show"), JetsonSampler.COMMAND_TIMEOUT);
        String mode = parsePowerMode(nvpmodel);
        if (mode == null) {
            mode = parsePowerMode(clocks);
            if (mode != null) {
                mode = mode + " (from jetson_clocks --show; nvpmodel -q: " + nvpmodel.problem() + ")";
            }
        }
        facts.put(JetsonSampler.FACT_POWER_MODE, mode != null ? mode
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
        facts.put(JetsonSampler.FACT_CLOCKS_LOCKED, locked == null ? "unknown" : locked.toString());
        facts.put(JetsonSampler.FACT_CLOCKS_LOCKED_DETAIL, detail);
        return new Probe.Available(new JetsonSampler(rails, cur, max, load, maxAtOpenMhz, Boolean.TRUE.equals(locked),
                facts, notes));
    }

    static List<String> sortedGpuNames() {
        return JetsonSampler.GPU_OF_NODE_NAMES.stream().sorted().toList();
    }

    static List<JetsonSampler.Rail> findRails(Path root, SysFiles files, List<String> notes, Map<String, String> facts) {
        List<JetsonSampler.Rail> rails = new ArrayList<>();
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
                    rails.add(new JetsonSampler.Rail(unique, mv, ma));
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

    static Path findGpuNode(Path devfreq, SysFiles files, List<String> notes) {
        List<Path> nodes = list(devfreq, notes);
        Path byOfNode = null;
        Path byGpc = null;
        Path byGpu = null;
        for (Path node : nodes) {
            String dir = node.getFileName().toString().toLowerCase(Locale.ROOT);
            Path ofName = node.resolve("device/of_node/name");
            if (byOfNode == null && Files.exists(ofName)) {
                try {
                    if (JetsonSampler.GPU_OF_NODE_NAMES.contains(files.readString(ofName))) {
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

    static Long readLongOnce(SysFiles files, Path file, String what, List<String> notes) {
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

    static String readOrNull(SysFiles files, Path file) {
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

    static String mhz(Long hz) {
        return hz == null ? "?" : String.format(Locale.ROOT, "%.1f MHz", hz / 1e6);
    }

    /** @return the mode name and number from {@code nvpmodel -q} (or {@code jetson_clocks --show}) output, or null */
    static String parsePowerMode(CommandRunner.Result r) {
        if (r.failure() != null) {
            return null;
        }
        Matcher m = JetsonSampler.POWER_MODE.matcher(r.output());
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
            Matcher m = JetsonSampler.MIN_MAX.matcher(t);
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
}
