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
