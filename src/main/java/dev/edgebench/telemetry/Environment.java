package dev.edgebench.telemetry;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The machine a run measured: host, CPU, memory, OS, JVM, NVIDIA GPUs (through
 * {@code nvidia-smi} when present) and the power state (Jetson power mode, CPU governor, GPU clocks). Read once per run, on the host JVM. Missing facts are
 * recorded as absent, never guessed.
 */
public final class Environment {
    private Environment() {
    }

    /**
     * The machine a run measured.
     *
     * @param host  hostname, OS, kernel, CPU, memory
     * @param jvm   the Java runtime
     * @param gpus  NVIDIA GPUs, empty without them
     * @param power the power and clock state (absent facts left out)
     */
    public record Info(Host host, Jvm jvm, List<Gpu> gpus, Map<String, String> power) {
    }

    /** @param memoryBytes {@code MemTotal}, null when unknown */
    public record Host(String hostname, String os, String arch, String kernel, String distribution, String cpuModel,
                       int logicalCpus, List<String> cpuFlags, Long memoryBytes) {
    }

    public record Jvm(String version, String vendor, String vm, String home, List<String> inputArguments) {
    }

    /**
     * One GPU as {@code nvidia-smi} reports it.
     *
     * @param cudaDriverApi the CUDA version the driver supports
     * @param memoryBytes   total memory, null when unknown
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Gpu(String name, String driver, String cudaDriverApi, Long memoryBytes, String computeCapability, String pciBusId,
                      String maxSmClockMHz, String powerLimitW) {
    }

    /** @return the environment, for run.json */
    public static Info capture() {
        Host host = new Host(hostname(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("os.arch"), readFirstLine(Path.of("/proc/sys/kernel/osrelease")), osRelease(), cpuModel(),
                Runtime.getRuntime().availableProcessors(), cpuFlags(), memTotalBytes());
        Jvm jvm = new Jvm(System.getProperty("java.runtime.version"), System.getProperty("java.vendor"),
                System.getProperty("java.vm.name"), System.getProperty("java.home"),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        return new Info(host, jvm, nvidiaGpus(), power());
    }

    /**
     * The power and clock state that changes results without changing the hardware: the Jetson
     * power mode ({@code nvpmodel -q}), the CPU frequency governor and limits, and the GPUs'
     * persistence mode and application clocks. Absent facts are left out.
     */
    static Map<String, String> power() {
        Map<String, String> p = new LinkedHashMap<>();
        for (String l : run("nvpmodel", "-q")) {
            if (l.startsWith("NV Power Mode:")) {
                p.put("nvpmodel", l.substring(14).strip());
            }
        }
        String gov = readFirstLine(Path.of("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
        if (gov != null) {
            p.put("cpuGovernor", gov);
        }
        String max = readFirstLine(Path.of("/sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq"));
        if (max != null) {
            p.put("cpuMaxKHz", max);
        }
        String min = readFirstLine(Path.of("/sys/devices/system/cpu/cpu0/cpufreq/scaling_min_freq"));
        if (min != null) {
            p.put("cpuMinKHz", min);
        }
        List<String> g = run("nvidia-smi", "--query-gpu=persistence_mode,clocks.applications.graphics,clocks.applications.memory",
                "--format=csv,noheader,nounits");
        for (int i = 0; i < g.size(); i++) {
            p.put("gpu" + i + "PersistenceModeAndAppClocksMHz", g.get(i).strip());
        }
        return p;
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return readFirstLine(Path.of("/etc/hostname"));
        }
    }

    static String readFirstLine(Path p) {
        try {
            List<String> l = Files.readAllLines(p);
            return l.isEmpty() ? null : l.get(0).strip();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    static String osRelease() {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (l.startsWith("PRETTY_NAME=")) {
                    return l.substring(12).replace("\"", "");
                }
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
        return null;
    }

    static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name") || l.startsWith("Model") || l.startsWith("Hardware")) {
                    return l.substring(l.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
        return null;
    }

    /** @return the SIMD-relevant CPU flags (x86 flags / Arm features) */
    static List<String> cpuFlags() {
        List<String> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("flags") || l.startsWith("Features")) {
                    for (String f : l.substring(l.indexOf(':') + 1).trim().split("\\s+")) {
                        if (f.matches("avx.*|amx.*|fma|f16c|sse4_2|bmi2|asimd.*|sve.*|i8mm|bf16|fphp|dotprod|sme.*")) {
                            out.add(f);
                        }
                    }
                    break;
                }
            }
        } catch (IOException | SecurityException e) {
            return out;
        }
        return out;
    }

    static Long memTotalBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return Long.parseLong(l.split("\\s+")[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** @return one entry per GPU from nvidia-smi (name, driver, CUDA version, memory), or an empty list */
    static List<Gpu> nvidiaGpus() {
        List<Gpu> out = new ArrayList<>();
        List<String> lines = run("nvidia-smi", "--query-gpu=name,driver_version,memory.total,compute_cap,pci.bus_id,"
                + "clocks.max.sm,power.limit", "--format=csv,noheader,nounits");
        String cuda = null;
        for (String l : run("nvidia-smi")) {
            int i = l.indexOf("CUDA Version:");
            if (i >= 0) {
                cuda = l.substring(i + 13).replace("|", "").strip();
                break;
            }
        }
        for (String l : lines) {
            String[] f = l.split(",\\s*");
            if (f.length < 4) {
                continue;
            }
            out.add(new Gpu(f[0], f[1], cuda, parseMiB(f[2]), f[3], f.length > 4 ? f[4] : null, f.length > 5 ? f[5] : null,
                    f.length > 6 ? f[6] : null));
        }
        return out;
    }

    private static Long parseMiB(String s) {
        try {
            return Long.parseLong(s.trim()) << 20;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Runs a command with a timeout; returns its stdout lines, or nothing when it is absent or fails. */
    static List<String> run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            if (p.exitValue() != 0) {
                return List.of();
            }
            return new String(p.getInputStream().readAllBytes()).lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
