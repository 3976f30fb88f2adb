package dev.edgebench.profiling;

import dev.edgebench.bindings.nvtx.EdgebenchNvtx;
import dev.edgebench.engine.llama.NativeLibraries;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * NVTX ranges through {@code libedgebench_nvtx.so} (native/profiling, built with the CUDA
 * profiles), found beside the engine's libraries. Ranges are in the NVTX domain "edgebench", named
 * after the phase ({@code load}, {@code warmup}, {@code prefill}, {@code decode}, {@code kernel}),
 * never nested in one another; with no profiler attached each call costs a downcall and a branch.
 *
 * <p>Loaded once per JVM, on first use; thread-safe (NVTX ranges are per thread).
 */
public final class Nvtx {
    /** The library's file name. */
    public static final String LIBRARY = "libedgebench_nvtx.so";
    public static final int LOAD = EdgebenchNvtx.EBN_PHASE_LOAD();
    public static final int WARMUP = EdgebenchNvtx.EBN_PHASE_WARMUP();
    public static final int PREFILL = EdgebenchNvtx.EBN_PHASE_PREFILL();
    public static final int DECODE = EdgebenchNvtx.EBN_PHASE_DECODE();
    public static final int KERNEL = EdgebenchNvtx.EBN_PHASE_KERNEL();

    private static Path loaded;

    private Nvtx() {
    }

    /**
     * Loads the library (from the engine build's lib folder, or the file named by
     * {@code edgebench.nvtx.lib}) and initialises the domain; later calls return at once.
     *
     * @return the library loaded
     * @throws IllegalStateException naming where it looked when there is no library (a CPU build
     *                               has none) or its version is not the bindings'
     */
    public static synchronized Path load() {
        if (loaded != null) {
            return loaded;
        }
        String explicit = System.getProperty("edgebench.nvtx.lib");
        Path lib;
        try {
            lib = explicit != null ? Path.of(explicit) : NativeLibraries.locate(LIBRARY);
        } catch (RuntimeException e) {
            throw new IllegalStateException("NVTX ranges need " + LIBRARY + ", which only builds with CUDA (make native"
                    + " PROFILE=cuda): " + e.getMessage(), e);
        }
        try {
            System.load(lib.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("cannot load " + lib + " for NVTX ranges: " + e.getMessage(), e);
        }
        int version = EdgebenchNvtx.ebn_abi_version();
        if (version != EdgebenchNvtx.EBN_ABI_VERSION()) {
            throw new IllegalStateException(lib + " has NVTX wrapper ABI " + version + ", these bindings "
                    + EdgebenchNvtx.EBN_ABI_VERSION() + ": rebuild the engine (make native PROFILE=cuda)");
        }
        EdgebenchNvtx.ebn_init();
        loaded = lib;
        return lib;
    }

    /** Opens a range of a phase ({@link #DECODE}, ...) on this thread. */
    public static void push(int phase) {
        EdgebenchNvtx.ebn_range_push(phase);
    }

    /** Closes this thread's innermost range. */
    public static void pop() {
        EdgebenchNvtx.ebn_range_pop();
    }

    /**
     * A named range, for names known before the measured path (kernel benchmarks): the name's C
     * string is made once, in the given arena.
     */
    public static MemorySegment name(Arena arena, String name) {
        return arena.allocateFrom(name);
    }

    /** Opens a range named by a C string from {@link #name}. */
    public static void push(MemorySegment name) {
        EdgebenchNvtx.ebn_range_push_named(name);
    }

    /** Puts an instant marker on the timeline (not for the measured path: allocates the message). */
    public static void mark(String message) {
        try (Arena a = Arena.ofConfined()) {
            EdgebenchNvtx.ebn_mark(a.allocateFrom(message));
        }
    }

    /** @return the range name of a phase, as the library registers it */
    public static String phaseName(int phase) {
        // the library returns static storage of unknown length to Java: the longest name is well under 64 bytes
        return EdgebenchNvtx.ebn_phase_name(phase).reinterpret(64).getString(0);
    }
}
