package dev.edgebench.engine.llama;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.bindings.llama.Llama;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The process-wide llama.cpp runtime: loads the libraries ({@link NativeLibraries}), initializes
 * the backends once and routes native logging to {@link NativeLog}. Obtain it with {@link #get()}
 * before using any other class of this package; it is never torn down (llama_backend_free is
 * not called: forks end with the JVM).
 */
public final class LlamaRuntime {
    private static LlamaRuntime instance;

    private final NativeLibraries.Loaded libraries;

    /** One ggml backend device as llama.cpp sees it; memory in bytes. */
    public record Device(String name, String description, String type, long memoryFreeBytes, long memoryTotalBytes) {
    }

    private LlamaRuntime(NativeLibraries.Loaded libraries) {
        this.libraries = libraries;
    }

    /**
     * @return the runtime, loading and initializing on first use
     * @throws NativeLibraries.NativeLibraryException when the libraries cannot be found or loaded
     */
    public static synchronized LlamaRuntime get() {
        if (instance == null) {
            NativeLibraries.Loaded loaded = NativeLibraries.load();
            NativeLog.install();
            Llama.llama_backend_init();
            instance = new LlamaRuntime(loaded);
        }
        return instance;
    }

    /** @return where the libraries were loaded from, and the build profile */
    public NativeLibraries.Loaded libraries() {
        return libraries;
    }

    /** @return llama.cpp's own description of the CPU features and backends it was built with */
    public String systemInfo() {
        return Llama.llama_print_system_info().reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** @return whether a GPU backend is compiled in (layers can be offloaded) */
    public boolean supportsGpuOffload() {
        return Llama.llama_supports_gpu_offload();
    }

    /** CPU threads "auto" gives a context whose every layer and output are on a GPU: {@value}. */
    public static final int FULL_OFFLOAD_THREADS = 4;

    /**
     * The CPU threads a context computes with when the user gave none. With every layer and the output on a
     * GPU, the CPU's share of a step is gathering the input rows (the token embeddings stay in host memory),
     * and all n_threads of ggml's threadpool meet at a barrier for it: one of them that another thread of the
     * process (the JVM's compiler, GC and service threads) pushes off its core delays the whole step. On the
     * H200 machine (16 CPUs, Llama-3.2-1B Q4_0, parity rounds, edgebench ÷ llama-bench like for like) decode
     * was 0.974 of llama-bench's at 16 threads, 0.987 at 4 and 0.991 at 1, and prefill as fast at 4 as at 16;
     * hence {@link #FULL_OFFLOAD_THREADS}, a few to spare for a long prompt's rows. Otherwise every CPU.
     *
     * @param nGpuLayers layers to offload as llama.cpp takes them (-1 or more than {@code nLayer}: all, and the output)
     * @param nLayer     the model's layers
     */
    public int defaultThreads(int nGpuLayers, int nLayer) {
        return defaultThreads(nGpuLayers, nLayer, supportsGpuOffload(), Runtime.getRuntime().availableProcessors());
    }

    /** {@link #defaultThreads(int, int)} for a build that can offload or not, on {@code cpus} CPUs. */
    static int defaultThreads(int nGpuLayers, int nLayer, boolean gpuOffload, int cpus) {
        boolean all = nGpuLayers < 0 || nGpuLayers > nLayer;
        return all && gpuOffload ? Math.min(FULL_OFFLOAD_THREADS, cpus) : cpus;
    }

    /** @return every ggml backend device, CPU included, with its current memory */
    public List<Device> devices() {
        List<Device> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment total = arena.allocate(ValueLayout.JAVA_LONG);
            long n = Ggml.ggml_backend_dev_count();
            for (long i = 0; i < n; i++) {
                MemorySegment dev = Ggml.ggml_backend_dev_get(i);
                free.set(ValueLayout.JAVA_LONG, 0, 0);
                total.set(ValueLayout.JAVA_LONG, 0, 0);
                Ggml.ggml_backend_dev_memory(dev, free, total);
                out.add(new Device(cString(Ggml.ggml_backend_dev_name(dev)), cString(Ggml.ggml_backend_dev_description(dev)),
                        deviceType(Ggml.ggml_backend_dev_type(dev)), free.get(ValueLayout.JAVA_LONG, 0),
                        total.get(ValueLayout.JAVA_LONG, 0)));
            }
        }
        return out;
    }

    /** @return the memory of every device together (host memory included), in bytes */
    public long totalMemoryBytes() {
        long sum = 0;
        for (Device d : devices()) {
            sum += d.memoryTotalBytes();
        }
        return sum;
    }

    static String deviceType(int t) {
        if (t == Ggml.GGML_BACKEND_DEVICE_TYPE_CPU()) {
            return "cpu";
        }
        if (t == Ggml.GGML_BACKEND_DEVICE_TYPE_GPU()) {
            return "gpu";
        }
        if (t == Ggml.GGML_BACKEND_DEVICE_TYPE_IGPU()) {
            return "igpu";
        }
        if (t == Ggml.GGML_BACKEND_DEVICE_TYPE_ACCEL()) {
            return "accel";
        }
        return "other";
    }

    static String cString(MemorySegment p) {
        return p == null || p.address() == 0 ? "" : p.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
