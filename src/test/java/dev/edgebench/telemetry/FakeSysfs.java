package dev.edgebench.telemetry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds fake sysfs/procfs trees under a test folder, laid out like the real machines, with
 * round numbers so that expected powers can be computed by hand.
 */
final class FakeSysfs {
    final Path root;

    FakeSysfs(Path root) {
        this.root = root;
    }

    FakeSysfs file(String relative, String content) {
        try {
            Path p = root.resolve(relative);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    FakeSysfs dir(String relative) {
        try {
            Files.createDirectories(root.resolve(relative));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One INA3221 channel: label, bus voltage (mV) and current (mA). */
    FakeSysfs rail(String hwmon, int n, String label, long mv, long ma) {
        if (label != null) {
            file(hwmon + "/in" + n + "_label", label + "\n");
        }
        file(hwmon + "/in" + n + "_input", mv + "\n");
        return file(hwmon + "/curr" + n + "_input", ma + "\n");
    }

    FakeSysfs zone(int n, String type, long milliC) {
        file("sys/class/thermal/thermal_zone" + n + "/type", type + "\n");
        return file("sys/class/thermal/thermal_zone" + n + "/temp", milliC + "\n");
    }

    FakeSysfs devfreq(String node, String ofNodeName, long curHz, long minHz, long maxHz, Long loadPermille) {
        String d = "sys/class/devfreq/" + node;
        file(d + "/cur_freq", curHz + "\n").file(d + "/min_freq", minHz + "\n").file(d + "/max_freq", maxHz + "\n");
        file(d + "/governor", "nvhost_podgov\n");
        if (ofNodeName != null) {
            file(d + "/device/of_node/name", ofNodeName + "\0");
        }
        if (loadPermille != null) {
            file(d + "/device/load", loadPermille + "\n");
        }
        return this;
    }

    /**
     * AGX Orin: two INA3221 (1-0040: VDD_GPU_SOC 6 W, VDD_CPU_CV 2 W, VIN_SYS_5V0 4 W; 1-0041: NC,
     * VDDQ_VDD2_1V8AO 0.5 W, NC, plus the driver's in7 sum channel), an EEPROM, the GPU at
     * 17000000.gpu (1300.5 MHz, 99.5% busy, not locked) and three zones, one absent.
     */
    static FakeSysfs agxOrin(Path root) {
        FakeSysfs f = new FakeSysfs(root);
        String a = "sys/bus/i2c/devices/1-0040";
        f.file(a + "/name", "ina3221\n");
        f.rail(a + "/hwmon/hwmon1", 1, "VDD_GPU_SOC", 5000, 1200);
        f.rail(a + "/hwmon/hwmon1", 2, "VDD_CPU_CV", 5000, 400);
        f.rail(a + "/hwmon/hwmon1", 3, "VIN_SYS_5V0", 5000, 800);
        String b = "sys/bus/i2c/devices/1-0041";
        f.file(b + "/name", "ina3221\n");
        f.rail(b + "/hwmon/hwmon2", 1, "NC", 0, 0);
        f.rail(b + "/hwmon/hwmon2", 2, "VDDQ_VDD2_1V8AO", 5000, 100);
        f.rail(b + "/hwmon/hwmon2", 3, "NC", 0, 0);
        f.file(b + "/hwmon/hwmon2/in7_label", "sum of shunt voltages\n").file(b + "/hwmon/hwmon2/in7_input", "40\n");
        f.file("sys/bus/i2c/devices/0-0050/name", "24c02\n");
        f.devfreq("17000000.gpu", "gpu", 1_300_500_000L, 306_000_000L, 1_300_500_000L, 995L);
        f.zone(0, "cpu-thermal", 45_500).zone(1, "gpu-thermal", 47_000).zone(2, "CV0-thermal", -256_000);
        f.file("etc/nv_tegra_release", "# R36 (release), REVISION: 4.0\n");
        return f;
    }

    /** Orin Nano: one INA3221 with VDD_IN 7 W (the total), VDD_CPU_GPU_CV 3 W, VDD_SOC 1.5 W; GPU ga10b locked at 624.75 MHz. */
    static FakeSysfs orinNano(Path root) {
        FakeSysfs f = new FakeSysfs(root);
        String a = "sys/bus/i2c/devices/1-0040";
        f.file(a + "/name", "ina3221\n");
        f.rail(a + "/hwmon/hwmon3", 1, "VDD_IN", 5000, 1400);
        f.rail(a + "/hwmon/hwmon3", 2, "VDD_CPU_GPU_CV", 5000, 600);
        f.rail(a + "/hwmon/hwmon3", 3, "VDD_SOC", 5000, 300);
        f.devfreq("17000000.ga10b", "ga10b", 624_750_000L, 624_750_000L, 624_750_000L, 1000L);
        f.zone(0, "cpu-thermal", 50_000).zone(1, "gpu-thermal", 52_250).zone(2, "tj-thermal", 53_000);
        return f;
    }

    /** Thor: one INA3221 with VDD_GPU 10 W, VDD_CPU_SOC_MSS 5 W, VIN_SYS_5V0 3 W; devfreq gpu-gpc-0 and gpu-nvd-0, no load file. */
    static FakeSysfs thor(Path root) {
        FakeSysfs f = new FakeSysfs(root);
        String a = "sys/bus/i2c/devices/2-0040";
        f.file(a + "/name", "ina3221\n");
        f.rail(a + "/hwmon/hwmon0", 1, "VDD_GPU", 5000, 2000);
        f.rail(a + "/hwmon/hwmon0", 2, "VDD_CPU_SOC_MSS", 5000, 1000);
        f.rail(a + "/hwmon/hwmon0", 3, "VIN_SYS_5V0", 5000, 600);
        f.devfreq("gpu-nvd-0", null, 1_000_000_000L, 0L, 1_000_000_000L, null);
        f.devfreq("gpu-gpc-0", null, 1_575_000_000L, 0L, 1_575_000_000L, null);
        f.zone(0, "tj-thermal", 60_000);
        return f;
    }

    /** A PC: no Jetson rails, no GPU devfreq; /proc/self/status only. */
    static FakeSysfs none(Path root) {
        FakeSysfs f = new FakeSysfs(root);
        f.dir("sys/bus/i2c/devices").dir("sys/class/devfreq");
        return f;
    }

    /** /proc/self/status with VmHWM in kB. */
    FakeSysfs procStatus(long vmHwmKb) {
        return file("proc/self/status", "Name:\tjava\nUmask:\t0022\nState:\tR (running)\nVmPeak:\t 9999999 kB\nVmSize:\t 9000000 kB\n"
                + "VmHWM:\t  " + vmHwmKb + " kB\nVmRSS:\t  " + (vmHwmKb - 100) + " kB\nThreads:\t30\n");
    }

    /** The outputs of nvpmodel -q and jetson_clocks --show on an AGX Orin in MAXN with clocks not locked. */
    static CommandRunner agxOrinCommands() {
        return commands(Map.of(
                "nvpmodel", new CommandRunner.Result(0, "NVPM WARN: fan mode is not set!\nNV Power Mode: MAXN\n0\n", null),
                "jetson_clocks", new CommandRunner.Result(0, """
                        SOC family:tegra234  Machine:NVIDIA Jetson AGX Orin Developer Kit
                        Online CPUs: 0-11
                        cpu0: Online=1 Governor=schedutil MinFreq=729600 MaxFreq=2201600 CurrentFreq=1651200 IdleStates: WFI=1 c7=1
                        cpu1: Online=1 Governor=schedutil MinFreq=729600 MaxFreq=2201600 CurrentFreq=729600 IdleStates: WFI=1 c7=1
                        GPU MinFreq=306000000 MaxFreq=1300500000 CurrentFreq=1300500000
                        EMC MinFreq=204000000 MaxFreq=3199000000 CurrentFreq=3199000000 FreqOverride=0
                        FAN Dynamic Speed control=active hwmon4_pwm1=57
                        NV Power Mode: MAXN
                        """, null)));
    }

    /** A runner that knows only the given programs and says "not found" for others. */
    static CommandRunner commands(Map<String, CommandRunner.Result> answers) {
        return (command, timeout) -> {
            CommandRunner.Result r = answers.get(command.get(0));
            return r != null ? r : CommandRunner.Result.failed(command.get(0) + " not found on PATH or in /usr/sbin, /usr/bin, /sbin");
        };
    }

    /** A runner for a machine without the Jetson tools. */
    static CommandRunner noCommands() {
        return commands(Map.of());
    }

    /** The real reader, except that the named files answer "permission denied" (to open and, once denied, to reads). */
    static final class Denying implements SysFiles {
        private final Set<Path> denied = new HashSet<>();

        Denying deny(Path p) {
            denied.add(p);
            return this;
        }

        void allowAll() {
            denied.clear();
        }

        @Override
        public String readString(Path file) throws IOException {
            check(file);
            return SysFiles.real().readString(file);
        }

        @Override
        public Attribute open(Path file) throws IOException {
            check(file);
            Attribute real = SysFiles.real().open(file);
            return new Attribute() {
                @Override
                public Path path() {
                    return file;
                }

                @Override
                public long readLong() throws IOException {
                    check(file);
                    return real.readLong();
                }

                @Override
                public long readKeyed(byte[] key) throws IOException {
                    check(file);
                    return real.readKeyed(key);
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        }

        private void check(Path file) throws AccessDeniedException {
            if (denied.contains(file)) {
                throw new AccessDeniedException(file.toString());
            }
        }
    }

    static List<String> names(Sampler s) {
        return s.channels().stream().map(Channel::name).toList();
    }

    static double[] sample(Sampler s) {
        double[] row = new double[s.channels().size()];
        s.sample(row, 0);
        return row;
    }
}
