package dev.edgebench.engine.llama;

import dev.edgebench.util.EdgebenchHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one loader of the llama.cpp/ggml shared libraries. The generated bindings look symbols up
 * in the libraries loaded by this class loader, so this class must load them before any binding
 * is used; {@link LlamaRuntime} does so.
 *
 * <p>Search order, first match wins:
 * <ol>
 *   <li>an explicit folder: system property {@code edgebench.native.lib} or environment variable
 *       {@code EDGEBENCH_NATIVE_LIB};</li>
 *   <li>{@code <native build dir>/<profile>/lib}, where the native build dir is
 *       {@code edgebench.native.dir} or {@code <home>/native/build} and the profile is
 *       {@code edgebench.profile} / {@code EDGEBENCH_PROFILE}, or else the first present of
 *       {@code cuda, jetson-thor, jetson-orin, cpu} (a GPU build wins when one was built);</li>
 *   <li>each folder of {@code java.library.path}.</li>
 * </ol>
 * When nothing loads, the exception lists every place tried and what was found there.
 *
 * <p>Thread-safe; loads at most once per class loader.
 */
public final class NativeLibraries {
    /** Profiles tried, in order, when none is named. */
    static final List<String> DEFAULT_PROFILES = List.of("cuda", "jetson-thor", "jetson-orin", "cpu");

    private static final String LLAMA = System.mapLibraryName("llama");
    private static final String GGML = System.mapLibraryName("ggml");
    private static final String GGML_BASE = System.mapLibraryName("ggml-base");

    /** What was loaded, from where. */
    public record Loaded(Path libDir, String profile, String how, List<Path> libraries) {
        /** @return the build manifest beside the libraries ({@code ../manifest.json}), or null when absent */
        public Path manifest() {
            Path m = libDir.getParent() == null ? null : libDir.getParent().resolve("manifest.json");
            return m != null && Files.isRegularFile(m) ? m : null;
        }
    }

    private static Loaded loaded;

    private NativeLibraries() {
    }

    /**
     * Loads the libraries once.
     *
     * @return where they came from
     * @throws NativeLibraryException listing every place tried when none holds a loadable set
     */
    public static synchronized Loaded load() {
        if (loaded != null) {
            return loaded;
        }
        List<Place> places = search(Sources.current());
        List<String> tried = new ArrayList<>();
        for (Place p : places) {
            String problem = p.problem();
            if (problem == null) {
                problem = tryLoad(p);
                if (loaded != null) {
                    return loaded;
                }
            }
            tried.add(p.describe(problem));
        }
        throw new NativeLibraryException(tried);
    }

    /**
     * Finds another library of the native build (e.g. {@code libedgebench_request_llama.so}) in the
     * same places and order as the llama.cpp set, without loading it: the folder of the loaded set
     * first, then the first searched folder that holds both the llama.cpp set and the file.
     *
     * @param fileName the library's file name
     * @return its path
     * @throws NativeLibraryException listing every place tried when none holds it
     */
    public static Path locate(String fileName) {
        return locate(fileName, loadedOrNull(), Sources.current());
    }

    /** {@link #locate(String)} with its inputs given. */
    static Path locate(String fileName, Loaded now, Sources sources) {
        List<String> tried = new ArrayList<>();
        if (now != null) {
            Path f = now.libDir().resolve(fileName);
            if (Files.isRegularFile(f)) {
                return f;
            }
            tried.add(now.libDir() + " [loaded llama.cpp set]: no " + fileName);
        }
        List<Place> places;
        try {
            places = search(sources);
        } catch (NativeLibraryException e) {
            tried.addAll(e.tried());
            throw new NativeLibraryException(fileName, tried);
        }
        for (Place p : places) {
            if (p.problem() != null) {
                tried.add(p.describe(p.problem()));
                continue;
            }
            Path f = p.dir().resolve(fileName);
            if (Files.isRegularFile(f)) {
                return f;
            }
            tried.add(p.describe("has the llama.cpp libraries but no " + fileName));
        }
        throw new NativeLibraryException(fileName, tried);
    }

    /**
     * The build folder of the libraries loaded or, before anything is loaded, of the first place
     * that holds a whole set (the one {@link #load()} tries first): the parent of their
     * {@code lib/} folder, where {@code native/build.sh} leaves {@code manifest.json} and
     * {@code architectures.txt}. Loads nothing.
     *
     * @throws NativeLibraryException listing every place tried when none holds the libraries
     */
    public static synchronized Path buildDir() {
        if (loaded != null) {
            return loaded.libDir().getParent();
        }
        Place first = search(Sources.current()).stream().filter(p -> p.problem() == null).findFirst().orElseThrow();
        return first.dir().getParent();
    }

    /** @return the loaded set, or null when {@link #load()} has not succeeded yet */
    public static synchronized Loaded loadedOrNull() {
        return loaded;
    }

    /**
     * The inputs of the search, read once from system properties and the environment.
     *
     * @param explicit        {@code edgebench.native.lib} / {@code EDGEBENCH_NATIVE_LIB}, or null
     * @param buildDir        the native build folder holding one folder per profile
     * @param profile         {@code edgebench.profile} / {@code EDGEBENCH_PROFILE}, or null for {@link #DEFAULT_PROFILES}
     * @param javaLibraryPath {@code java.library.path}, possibly empty
     */
    record Sources(String explicit, Path buildDir, String profile, String javaLibraryPath) {
        static Sources current() {
            return new Sources(firstNonBlank(System.getProperty("edgebench.native.lib"), System.getenv("EDGEBENCH_NATIVE_LIB")),
                    Path.of(firstNonBlank(System.getProperty("edgebench.native.dir"),
                            EdgebenchHome.dir().resolve("native").resolve("build").toString())).toAbsolutePath().normalize(),
                    firstNonBlank(System.getProperty("edgebench.profile"), System.getenv("EDGEBENCH_PROFILE")),
                    System.getProperty("java.library.path", ""));
        }
    }

    /**
     * One place searched.
     *
     * @param dir     the folder, or null for a source that was not set
     * @param label   what it is, e.g. "profile cpu"
     * @param profile the profile recorded when it loads
     * @param how     how it was found, recorded when it loads
     * @param problem why it cannot hold the libraries, or null when it has the whole set
     */
    record Place(Path dir, String label, String profile, String how, String problem) {
        String describe(String why) {
            return dir == null ? label + ": " + why : dir + " [" + label + "]: " + why;
        }
    }

    /**
     * Every place the loader looks, in search order, each checked without loading anything.
     *
     * @return the places; at least one of them holds the whole set of libraries
     * @throws NativeLibraryException listing every place tried when none does
     */
    static List<Place> search(Sources s) {
        List<Place> places = new ArrayList<>();
        if (s.explicit() != null) {
            Path dir = Path.of(s.explicit()).toAbsolutePath().normalize();
            places.add(check(dir, "explicit", "explicit", "explicit (edgebench.native.lib / EDGEBENCH_NATIVE_LIB)"));
        } else {
            places.add(new Place(null, "edgebench.native.lib / EDGEBENCH_NATIVE_LIB", null, null, "not set"));
            List<String> profiles = s.profile() != null ? List.of(s.profile()) : DEFAULT_PROFILES;
            for (String p : profiles) {
                places.add(check(s.buildDir().resolve(p).resolve("lib"), "profile " + p, p, "native build profile " + p));
            }
            for (String entry : s.javaLibraryPath().split(java.io.File.pathSeparator)) {
                if (entry.isBlank()) {
                    continue;
                }
                Path dir = Path.of(entry).toAbsolutePath().normalize();
                places.add(Files.isRegularFile(dir.resolve(LLAMA))
                        ? check(dir, "java.library.path", "java.library.path", "java.library.path")
                        : new Place(dir, "java.library.path", null, null, "no " + LLAMA));
            }
        }
        if (places.stream().allMatch(p -> p.problem() != null)) {
            throw new NativeLibraryException(places.stream().map(p -> p.describe(p.problem())).toList());
        }
        return places;
    }

    private static Place check(Path dir, String label, String profile, String how) {
        return new Place(dir, label, profile, how, problem(dir));
    }

    /** @return what keeps {@code dir} from holding the libraries, or null when it has them all */
    private static String problem(Path dir) {
        if (!Files.exists(dir)) {
            return "no such folder";
        }
        if (!Files.isDirectory(dir)) {
            return "not a folder";
        }
        for (String required : List.of(GGML_BASE, GGML, LLAMA)) {
            if (!Files.isRegularFile(dir.resolve(required))) {
                return "folder exists but has no " + required;
            }
        }
        return null;
    }

    /** Loads the set from a place that has it; returns null on success (and sets {@link #loaded}), else what went wrong. */
    private static String tryLoad(Place place) {
        Path dir = place.dir();
        List<Path> order = new ArrayList<>();
        order.add(dir.resolve(GGML_BASE));
        try (Stream<Path> s = Files.list(dir)) {
            // backends (ggml-cpu, ggml-cuda, ...) after ggml-base, before ggml and llama
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("libggml-") && n.endsWith(".so") && !n.equals(GGML_BASE);
            }).sorted(Comparator.comparing(Path::toString)).forEach(order::add);
        } catch (IOException e) {
            return "cannot list: " + e.getMessage();
        }
        order.add(dir.resolve(GGML));
        order.add(dir.resolve(LLAMA));
        List<Path> done = new ArrayList<>();
        for (Path lib : order) {
            try {
                System.load(lib.toString());
                done.add(lib);
            } catch (UnsatisfiedLinkError e) {
                return "found the libraries, but loading " + lib.getFileName() + " failed: " + e.getMessage();
            }
        }
        loaded = new Loaded(dir, place.profile(), place.how(), List.copyOf(done));
        return null;
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : null;
    }

    /** No loadable llama.cpp library set was found; the message lists every place tried. */
    public static final class NativeLibraryException extends RuntimeException {
        private final List<String> tried;

        NativeLibraryException(List<String> tried) {
            super("llama.cpp libraries could not be loaded. Tried, in order:\n  - "
                    + String.join("\n  - ", tried)
                    + "\nBuild them with `make native` (or PROFILE=cuda), or point edgebench.native.lib at a folder"
                    + " holding " + GGML_BASE + ", " + GGML + " and " + LLAMA + ".");
            this.tried = List.copyOf(tried);
        }

        NativeLibraryException(String fileName, List<String> tried) {
            super(fileName + " could not be found. Tried, in order:\n  - " + String.join("\n  - ", tried)
                    + "\nBuild it with `make native` (or PROFILE=cuda), or point edgebench.native.lib at a folder holding it.");
            this.tried = List.copyOf(tried);
        }

        /** @return one line per place tried, with what was found there */
        public List<String> tried() {
            return tried;
        }
    }
}
