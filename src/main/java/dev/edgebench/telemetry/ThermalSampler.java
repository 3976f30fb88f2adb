package dev.edgebench.telemetry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Temperatures of the kernel's thermal zones: {@code /sys/class/thermal/thermal_zone*}, named by
 * {@code type}, read from {@code temp} in millidegrees Celsius. On Jetson these are CPU, GPU, SOC,
 * CV, tj and board sensors; on a PC, ACPI and CPU package zones. A zone reading -256 C (Jetson's
 * "sensor absent") or less when opened is skipped.
 *
 * <p>Threading: see {@link Sampler}.
 */
public final class ThermalSampler implements Sampler {
    /** This sampler's name. */
    public static final String NAME = "thermal";
    /** Jetson reports an absent sensor as -256 C. */
    static final long ABSENT_MILLI_C = -256_000;

    private final List<SysFiles.Attribute> zones;
    private final List<Channel> channels;
    private final Map<String, String> facts;
    private final List<String> notes;
    private final ErrorTally errors = new ErrorTally();

    private ThermalSampler(List<SysFiles.Attribute> zones, List<Channel> channels, Map<String, String> facts, List<String> notes) {
        this.zones = List.copyOf(zones);
        this.channels = List.copyOf(channels);
        this.facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        this.notes = List.copyOf(notes);
    }

    /**
     * Opens every readable thermal zone under {@code root}.
     *
     * @return the sampler, or why there is none (no zones, or none readable)
     */
    public static Probe probe(Path root, SysFiles files) {
        Path base = root.resolve("sys/class/thermal");
        List<String> notes = new ArrayList<>();
        List<SysFiles.Attribute> zones = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int found = 0;
        for (Path zone : JetsonProbe.list(base, notes)) {
            if (!zone.getFileName().toString().startsWith("thermal_zone")) {
                continue;
            }
            found++;
            String type;
            try {
                type = files.readString(zone.resolve("type"));
            } catch (IOException e) {
                notes.add(zone.getFileName() + " type: " + zone.resolve("type") + ": " + ErrorTally.describe(e));
                type = zone.getFileName().toString();
            }
            Path temp = zone.resolve("temp");
            if (!Files.exists(temp)) {
                notes.add(zone.getFileName() + " (" + type + "): " + temp + " does not exist");
                continue;
            }
            SysFiles.Attribute a = null;
            try {
                a = files.open(temp);
                long milliC = a.readLong();
                if (milliC <= ABSENT_MILLI_C) {
                    a.close();
                    notes.add(zone.getFileName() + " (" + type + "): reads " + milliC / 1000 + " C, sensor absent; skipped");
                    continue;
                }
            } catch (IOException e) {
                JetsonProbe.closeQuietly(a);
                notes.add(zone.getFileName() + " (" + type + "): " + temp + ": " + ErrorTally.describe(e));
                continue;
            }
            String name = type.isEmpty() ? zone.getFileName().toString() : type;
            String unique = name;
            for (int k = 2; !names.add(unique); k++) {
                unique = name + "#" + k;
            }
            zones.add(a);
            channels.add(new Channel("zone." + unique + ".temp", Quantity.TEMPERATURE_C));
        }
        if (zones.isEmpty()) {
            String why = found == 0 ? "no " + base + "/thermal_zone*" : found + " thermal zone(s) under " + base + ", none readable";
            return new Probe.Unavailable(NAME, notes.isEmpty() ? why : why + ": " + String.join("; ", notes));
        }
        return new Probe.Available(new ThermalSampler(zones, channels, Map.of("zones", Integer.toString(zones.size())), notes));
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
        return null;
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
        for (int i = 0; i < zones.size(); i++) {
            double c;
            try {
                long milliC = zones.get(i).readLong();
                c = milliC <= ABSENT_MILLI_C ? Double.NaN : milliC / 1000.0;
            } catch (IOException e) {
                errors.record(zones.get(i).path().toString(), e);
                c = Double.NaN;
            }
            out[offset + i] = c;
        }
    }

    @Override
    public ErrorTally errors() {
        return errors;
    }

    @Override
    public void close() {
        zones.forEach(SysFiles.Attribute::close);
    }
}
