package dev.edgebench.telemetry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host CPU and this process: CPU package power from RAPL where the kernel exposes it
 * ({@code /sys/class/powercap/intel-rapl:N}, {@code energy_uj} in µJ, wrapping at
 * {@code max_energy_range_uj}), CPU clocks from cpufreq ({@code scaling_cur_freq} in kHz; min, mean
 * and max over CPUs), CPU package thermal throttling events where x86 Linux counts them
 * ({@code thermal_throttle/package_throttle_count}), and this process's peak resident set size
 * ({@code VmHWM} of {@code /proc/self/status}, kB).
 *
 * <p>RAPL power is derived from successive counter readings; its energy counter wraps, which
 * {@link WindowAccumulator} undoes with the range. Since Linux 5.10 {@code energy_uj} is readable
 * by root only; the note then says so.
 *
 * <p>Threading: see {@link Sampler}.
 */
public final class HostSampler implements Sampler {
    /** This sampler's name. */
    public static final String NAME = "host";
    private static final byte[] VM_HWM = "VmHWM:".getBytes(StandardCharsets.US_ASCII);

    private record Rapl(String name, SysFiles.Attribute energyUj, double rangeUj) {
    }

    private final List<Rapl> rapl;
    private final long[] raplPrevUj;
    private final long[] raplPrevNs;
    private final List<SysFiles.Attribute> cpuFreqKhz;
    private final List<SysFiles.Attribute> packageThrottleCounts;
    private long throttleCountPrev = -1;
    private final SysFiles.Attribute status;
    private final List<Channel> channels;
    private final PowerSource powerSource;
    private final Map<String, String> facts;
    private final List<String> notes;
    private final ErrorTally errors = new ErrorTally();

    private HostSampler(List<Rapl> rapl, List<SysFiles.Attribute> cpuFreqKhz, List<SysFiles.Attribute> packageThrottleCounts,
                        SysFiles.Attribute status, Map<String, String> facts, List<String> notes) {
        this.rapl = List.copyOf(rapl);
        this.raplPrevUj = new long[rapl.size()];
        this.raplPrevNs = new long[rapl.size()];
        Arrays.fill(raplPrevNs, -1);
        this.cpuFreqKhz = List.copyOf(cpuFreqKhz);
        this.packageThrottleCounts = List.copyOf(packageThrottleCounts);
        this.status = status;
        this.facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        this.notes = List.copyOf(notes);
        List<Channel> ch = new ArrayList<>();
        List<PowerDomain> packages = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Rapl r : rapl) {
            int power = ch.size();
            ch.add(new Channel("rapl." + r.name + ".power", Quantity.POWER_MW));
            int energy = ch.size();
            ch.add(new Channel("rapl." + r.name + ".energy", Quantity.ENERGY_COUNTER_MJ));
            if (r.name.startsWith("package")) {
                packages.add(new PowerDomain(r.name, power, energy, r.rangeUj / 1000.0));
                labels.add(r.name);
            }
        }
        if (!cpuFreqKhz.isEmpty()) {
            ch.add(new Channel("cpu.clock.min", Quantity.CPU_CLOCK_MHZ));
            ch.add(new Channel("cpu.clock.mean", Quantity.CPU_CLOCK_MHZ));
            ch.add(new Channel("cpu.clock.max", Quantity.CPU_CLOCK_MHZ));
        }
        if (!packageThrottleCounts.isEmpty()) {
            ch.add(new Channel("cpu.clock_events", Quantity.CLOCK_EVENT_REASONS));
        }
        if (status != null) {
            ch.add(new Channel("process.rss.peak", Quantity.PROCESS_RSS_PEAK_BYTES));
        }
        this.channels = List.copyOf(ch);
        this.powerSource = packages.isEmpty() ? null
                : new PowerSource(PowerSource.Scope.CPU_PACKAGE, "RAPL " + String.join(" + ", labels), packages);
    }

    /**
     * Opens what the host exposes under {@code root}.
     *
     * @return the sampler, or why none of RAPL, cpufreq, throttle counts and {@code /proc/self/status} could be read
     */
    public static Probe probe(Path root, SysFiles files) {
        List<String> notes = new ArrayList<>();
        Map<String, String> facts = new LinkedHashMap<>();
        List<Rapl> rapl = findRapl(root.resolve("sys/class/powercap"), files, notes);

        Path cpuBase = root.resolve("sys/devices/system/cpu");
        List<Path> cpus = JetsonProbe.list(cpuBase, notes).stream()
                .filter(p -> p.getFileName().toString().matches("cpu\\d+")).toList();
        List<SysFiles.Attribute> freqs = new ArrayList<>();
        List<SysFiles.Attribute> throttle = new ArrayList<>();
        Set<String> packagesSeen = new HashSet<>();
        List<String> freqNotes = new ArrayList<>();
        for (Path cpu : cpus) {
            Path f = cpu.resolve("cpufreq/scaling_cur_freq");
            if (Files.exists(f)) {
                SysFiles.Attribute a = JetsonProbe.openProbed(files, f, "CPU clock", freqNotes);
                if (a != null) {
                    freqs.add(a);
                }
            }
            Path count = cpu.resolve("thermal_throttle/package_throttle_count");
            if (Files.exists(count)) {
                String pkg;
                try {
                    pkg = files.readString(cpu.resolve("topology/physical_package_id"));
                } catch (IOException e) {
                    pkg = cpu.getFileName().toString();
                }
                if (packagesSeen.add(pkg)) {
                    SysFiles.Attribute a = JetsonProbe.openProbed(files, count, "CPU package " + pkg + " throttle count", notes);
                    if (a != null) {
                        throttle.add(a);
                    }
                }
            }
        }
        if (freqs.isEmpty()) {
            notes.add(freqNotes.isEmpty()
                    ? "CPU clock: no " + cpuBase + "/cpu*/cpufreq/scaling_cur_freq (a virtual machine, or no cpufreq driver)"
                    : "CPU clock: " + String.join("; ", freqNotes));
        } else {
            if (!freqNotes.isEmpty()) {
                notes.add("CPU clock: " + freqNotes.size() + " CPU(s) unreadable, first: " + freqNotes.get(0));
            }
            facts.put("cpufreq_cpus", Integer.toString(freqs.size()));
        }
        if (throttle.isEmpty()) {
            notes.add("CPU throttling: no " + cpuBase + "/cpu*/thermal_throttle/package_throttle_count (not x86, or a virtual machine)");
        }

        Path statusFile = root.resolve("proc/self/status");
        SysFiles.Attribute status = null;
        try {
            status = files.open(statusFile);
            status.readKeyed(VM_HWM);
        } catch (IOException e) {
            JetsonProbe.closeQuietly(status);
            status = null;
            notes.add("peak RSS: " + statusFile + ": " + ErrorTally.describe(e));
        }
        if (rapl.isEmpty() && freqs.isEmpty() && throttle.isEmpty() && status == null) {
            return new Probe.Unavailable(NAME, String.join("; ", notes));
        }
        return new Probe.Available(new HostSampler(rapl, freqs, throttle, status, facts, notes));
    }

    private static List<Rapl> findRapl(Path powercap, SysFiles files, List<String> notes) {
        List<Rapl> out = new ArrayList<>();
        List<Path> zones = JetsonProbe.list(powercap, notes).stream()
                .filter(p -> p.getFileName().toString().matches("intel-rapl:\\d+")).toList();
        if (zones.isEmpty()) {
            notes.add("CPU power: no " + powercap + "/intel-rapl:N (no RAPL, or a virtual machine)");
            return out;
        }
        for (Path z : zones) {
            String name;
            try {
                name = files.readString(z.resolve("name"));
            } catch (IOException e) {
                notes.add("RAPL " + z.getFileName() + " name: " + ErrorTally.describe(e));
                continue;
            }
            double rangeUj;
            try {
                rangeUj = Long.parseLong(files.readString(z.resolve("max_energy_range_uj")));
            } catch (IOException | NumberFormatException e) {
                notes.add("RAPL " + name + ": " + z.resolve("max_energy_range_uj") + ": " + ErrorTally.describe(e)
                        + " (needed to undo counter wrap-around); skipped");
                continue;
            }
            Path energy = z.resolve("energy_uj");
            SysFiles.Attribute a = null;
            try {
                a = files.open(energy);
                a.readLong();
            } catch (IOException e) {
                JetsonProbe.closeQuietly(a);
                String why = ErrorTally.describe(e);
                notes.add("RAPL " + name + ": " + energy + ": " + why
                        + (why.equals("permission denied") ? " (root only since Linux 5.10: run as root, or make energy_uj readable)" : ""));
                continue;
            }
            out.add(new Rapl(name, a, rangeUj));
        }
        return out;
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
        for (int k = 0; k < rapl.size(); k++) {
            Rapl r = rapl.get(k);
            long nowNs = System.nanoTime();
            double powerMw = Double.NaN;
            double energyMj = Double.NaN;
            try {
                long uj = r.energyUj.readLong();
                energyMj = uj / 1000.0;
                if (raplPrevNs[k] >= 0 && nowNs > raplPrevNs[k]) {
                    double deltaUj = uj - raplPrevUj[k];
                    if (deltaUj < 0) {
                        deltaUj += r.rangeUj;
                    }
                    powerMw = deltaUj / (nowNs - raplPrevNs[k]) * 1e6;
                }
                raplPrevUj[k] = uj;
                raplPrevNs[k] = nowNs;
            } catch (IOException e) {
                errors.record("RAPL " + r.name, e);
                raplPrevNs[k] = -1;
            }
            out[i++] = powerMw;
            out[i++] = energyMj;
        }
        if (!cpuFreqKhz.isEmpty()) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            int n = 0;
            for (SysFiles.Attribute a : cpuFreqKhz) {
                try {
                    double mhz = a.readLong() / 1000.0;
                    min = Math.min(min, mhz);
                    max = Math.max(max, mhz);
                    sum += mhz;
                    n++;
                } catch (IOException e) {
                    errors.record(a.path().toString(), e);
                }
            }
            out[i++] = n == 0 ? Double.NaN : min;
            out[i++] = n == 0 ? Double.NaN : sum / n;
            out[i++] = n == 0 ? Double.NaN : max;
        }
        if (!packageThrottleCounts.isEmpty()) {
            long total = 0;
            boolean complete = true;
            for (SysFiles.Attribute a : packageThrottleCounts) {
                try {
                    total += a.readLong();
                } catch (IOException e) {
                    errors.record(a.path().toString(), e);
                    complete = false;
                }
            }
            if (complete) {
                out[i++] = throttleCountPrev >= 0 && total > throttleCountPrev
                        ? ThrottleReason.CPU_PACKAGE_THERMAL_THROTTLE.bit() : 0;
                throttleCountPrev = total;
            } else {
                out[i++] = Double.NaN;
            }
        }
        if (status != null) {
            double bytes;
            try {
                bytes = status.readKeyed(VM_HWM) * 1024.0;
            } catch (IOException e) {
                errors.record(status.path().toString(), e);
                bytes = Double.NaN;
            }
            out[i] = bytes;
        }
    }

    @Override
    public ErrorTally errors() {
        return errors;
    }

    @Override
    public void close() {
        rapl.forEach(r -> r.energyUj.close());
        cpuFreqKhz.forEach(SysFiles.Attribute::close);
        packageThrottleCounts.forEach(SysFiles.Attribute::close);
        JetsonProbe.closeQuietly(status);
    }
}
