package dev.edgebench.telemetry.nvml;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.SymbolLookup;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one loader of NVML ({@code libnvidia-ml.so.1}, installed with the NVIDIA driver; never
 * shipped with edgebench). The generated bindings look symbols up in the libraries this class
 * loader loaded, so this must succeed before {@link NvmlNative} is used.
 *
 * <p>Search order, first loadable file wins:
 * <ol>
 *   <li>an explicit file: system property {@code edgebench.nvml.lib} or environment variable
 *       {@code EDGEBENCH_NVML_LIB} (then nothing else is tried);</li>
 *   <li>each folder of {@code LD_LIBRARY_PATH};</li>
 *   <li>the folders listed in {@code /etc/ld.so.conf} and the files it includes (Jetson's
 *       {@code nvidia-tegra.conf}, CUDA compat folders);</li>
 *   <li>{@link #STANDARD_DIRS};</li>
 *   <li>each folder of {@code java.library.path}.</li>
 * </ol>
 * In each folder {@code libnvidia-ml.so.1}, then {@code libnvidia-ml.so}. Folders named
 * {@code stubs} are skipped: CUDA's link-time stub has no driver behind it. When nothing loads,
 * the exception lists every place tried and what was wrong there.
 *
 * <p>Thread-safe.
 */
public final class NvmlLibrary {
    /** File names tried in each folder, in order. */
    static final List<String> FILE_NAMES = List.of("libnvidia-ml.so.1", "libnvidia-ml.so");
    /** Where drivers put NVML on Debian/Ubuntu x86-64 and arm64, Jetson, RHEL, containers and WSL. */
    static final List<String> STANDARD_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu/nvidia", "/usr/lib/aarch64-linux-gnu/tegra", "/usr/lib64", "/usr/lib",
            "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/wsl/lib");
    /** Symbols without which the sampler cannot start. */
    static final List<String> REQUIRED_SYMBOLS = List.of("nvmlInit_v2", "nvmlShutdown", "nvmlErrorString",
            "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2");

    private static Path loaded;

    private NvmlLibrary() {
    }

    /**
     * Where to look.
     *
     * @param explicit a file named by the user, or null
     * @param dirs     folders to try in order when no file is named
     */
    public record Search(String explicit, List<Path> dirs) {
        public Search {
            dirs = List.copyOf(dirs);
        }

        /** @return the search this process's properties and environment describe */
        public static Search fromEnvironment() {
            String explicit = firstNonBlank(System.getProperty("edgebench.nvml.lib"), System.getenv("EDGEBENCH_NVML_LIB"));
            Set<Path> dirs = new LinkedHashSet<>();
            addPathList(dirs, System.getenv("LD_LIBRARY_PATH"));
            dirs.addAll(ldSoConfDirs(Path.of("/etc/ld.so.conf"), 0));
            STANDARD_DIRS.forEach(d -> dirs.add(Path.of(d)));
            addPathList(dirs, System.getProperty("java.library.path"));
            return new Search(explicit, new ArrayList<>(dirs));
        }
    }

    /**
     * Loads NVML once per JVM, from {@link Search#fromEnvironment()}.
     *
     * @return the file loaded
     * @throws NvmlUnavailableException listing every place tried
     */
    public static synchronized Path load() throws NvmlUnavailableException {
        if (loaded == null) {
            loaded = load(Search.fromEnvironment());
        }
        return loaded;
    }

    /**
     * Loads NVML from the first place of {@code search} that holds a loadable copy exporting
     * {@link #REQUIRED_SYMBOLS}.
     *
     * @return the file loaded
     * @throws NvmlUnavailableException listing every place tried and what was wrong there
     */
    public static Path load(Search search) throws NvmlUnavailableException {
        List<String> tried = new ArrayList<>();
        if (search.explicit() != null) {
            Path file = Path.of(search.explicit()).toAbsolutePath().normalize();
            String problem = Files.isRegularFile(file) ? tryLoad(file) : "no such file";
            if (problem == null) {
                return file;
            }
            tried.add(file + " [edgebench.nvml.lib / EDGEBENCH_NVML_LIB]: " + problem);
            throw new NvmlUnavailableException(tried);
        }
        for (Path dir : search.dirs()) {
            Path abs = dir.toAbsolutePath().normalize();
            if (abs.getFileName() != null && abs.getFileName().toString().equals("stubs")) {
                tried.add(abs + ": skipped (CUDA link-time stub, no driver behind it)");
                continue;
            }
            if (!Files.isDirectory(abs)) {
                tried.add(abs + ": no such folder");
                continue;
            }
            boolean any = false;
            for (String name : FILE_NAMES) {
                Path file = abs.resolve(name);
                if (!Files.exists(file)) {
                    continue;
                }
                any = true;
                String problem = tryLoad(file);
                if (problem == null) {
                    return file;
                }
                tried.add(file + ": " + problem);
            }
            if (!any) {
                tried.add(abs + ": no " + String.join(" or ", FILE_NAMES));
            }
        }
        throw new NvmlUnavailableException(tried);
    }

    /** Returns null when the file loaded and exports the required symbols, else what was wrong. */
    private static String tryLoad(Path file) {
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            return "loading failed: " + e.getMessage();
        }
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        List<String> missing = REQUIRED_SYMBOLS.stream().filter(s -> lookup.find(s).isEmpty()).toList();
        return missing.isEmpty() ? null : "loaded, but it does not export " + String.join(", ", missing);
    }

    /**
     * Reads the folders an {@code ld.so.conf} lists, following {@code include} lines (with
     * {@code *} patterns in the file name). Unreadable files contribute nothing.
     */
    static List<Path> ldSoConfDirs(Path conf, int depth) {
        List<Path> out = new ArrayList<>();
        if (depth > 4 || !Files.isRegularFile(conf)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(conf);
        } catch (IOException e) {
            return out;
        }
        for (String raw : lines) {
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("include ")) {
                String pattern = line.substring("include ".length()).strip();
                Path p = Path.of(pattern);
                if (!p.isAbsolute()) {
                    p = conf.getParent().resolve(p);
                }
                Path dir = p.getParent();
                if (dir == null || !Files.isDirectory(dir)) {
                    continue;
                }
                List<Path> included = new ArrayList<>();
                try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p.getFileName().toString())) {
                    s.forEach(included::add);
                } catch (IOException | RuntimeException e) {
                    continue;
                }
                included.sort(null);
                for (Path inc : included) {
                    out.addAll(ldSoConfDirs(inc, depth + 1));
                }
            } else if (line.startsWith("/")) {
                out.add(Path.of(line));
            }
        }
        return out;
    }

    private static void addPathList(Set<Path> dirs, String list) {
        if (list == null) {
            return;
        }
        for (String entry : list.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry));
            }
        }
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : null;
    }
}
