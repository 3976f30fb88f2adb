package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.bindings.ggml.ggml_backend_dev_get_extra_bufts_t;
import dev.edgebench.bindings.ggml.ggml_backend_set_n_threads_t;
import dev.edgebench.engine.llama.LlamaRuntime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One initialized ggml backend ({@code ggml_backend_t}) on one device of the build: the CPU, or a
 * GPU such as {@code CUDA0}. Owns the native handle; {@link #close()} frees it. A closed backend
 * refuses every call.
 *
 * <p>Not thread-safe: one thread computes on a backend at a time.
 */
public final class GgmlBackend implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private final MemorySegment device;
    private final String deviceName;
    private final String description;
    private final boolean cpu;
    private final int threads;
    private boolean closed;

    private GgmlBackend(MemorySegment handle, MemorySegment device, String deviceName, String description, boolean cpu,
                        int threads) {
        this.handle = handle.reinterpret(arena, Ggml::ggml_backend_free);
        this.device = device;
        this.deviceName = deviceName;
        this.description = description;
        this.cpu = cpu;
        this.threads = threads;
    }

    /** @return the names of every ggml device of the loaded build, e.g. [CPU] or [CUDA0, CPU] */
    public static List<String> deviceNames() {
        LlamaRuntime.get();
        List<String> out = new ArrayList<>();
        long n = Ggml.ggml_backend_dev_count();
        for (long i = 0; i < n; i++) {
            out.add(cString(Ggml.ggml_backend_dev_name(Ggml.ggml_backend_dev_get(i))));
        }
        return out;
    }

    /**
     * Initializes a backend.
     *
     * @param name    a device name as {@link #deviceNames()} lists it (any case), or {@code gpu} for
     *                the first GPU device, or {@code cpu}
     * @param threads CPU threads (CPU backend, or a backend that takes a thread count); &lt;= 0 = every
     *                available processor
     * @return the backend; close it when done
     * @throws IllegalArgumentException listing the devices when none has that name
     * @throws IllegalStateException    when the device fails to initialize
     */
    public static GgmlBackend open(String name, int threads) {
        LlamaRuntime.get();
        MemorySegment dev = find(name);
        if (dev == null) {
            throw new IllegalArgumentException("no ggml device '" + name + "' in this build; devices: " + deviceNames()
                    + (name.toLowerCase(Locale.ROOT).startsWith("cuda") ? " (a CUDA device needs the cuda native profile)" : ""));
        }
        String devName = cString(Ggml.ggml_backend_dev_name(dev));
        MemorySegment h = Ggml.ggml_backend_dev_init(dev, MemorySegment.NULL);
        if (h == null || h.address() == 0) {
            throw new IllegalStateException("ggml_backend_dev_init returned NULL for device " + devName);
        }
        boolean isCpu = Ggml.ggml_backend_dev_type(dev) == Ggml.GGML_BACKEND_DEVICE_TYPE_CPU();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (isCpu) {
            Ggml.ggml_backend_cpu_set_n_threads(h, n);
        } else {
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment fn = Ggml.ggml_backend_reg_get_proc_address(Ggml.ggml_backend_dev_backend_reg(dev),
                        tmp.allocateFrom("ggml_backend_set_n_threads"));
                if (fn != null && fn.address() != 0) {
                    ggml_backend_set_n_threads_t.invoke(fn, h, n);
                }
            }
        }
        return new GgmlBackend(h, dev, devName, cString(Ggml.ggml_backend_dev_description(dev)), isCpu, n);
    }

    private static MemorySegment find(String name) {
        String want = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        long n = Ggml.ggml_backend_dev_count();
        for (long i = 0; i < n; i++) {
            MemorySegment dev = Ggml.ggml_backend_dev_get(i);
            int type = Ggml.ggml_backend_dev_type(dev);
            String devName = cString(Ggml.ggml_backend_dev_name(dev)).toLowerCase(Locale.ROOT);
            if (devName.equals(want)
                    || (want.equals("gpu") && (type == Ggml.GGML_BACKEND_DEVICE_TYPE_GPU() || type == Ggml.GGML_BACKEND_DEVICE_TYPE_IGPU()))
                    || (want.equals("cpu") && type == Ggml.GGML_BACKEND_DEVICE_TYPE_CPU())) {
                return dev;
            }
        }
        return null;
    }

    /** @return the device name, e.g. "CPU" or "CUDA0" */
    public String deviceName() {
        return deviceName;
    }

    /** @return the device description, e.g. the CPU or GPU model */
    public String description() {
        return description;
    }

    /** @return whether this is the CPU backend */
    public boolean isCpu() {
        return cpu;
    }

    /** @return the thread count it was given (meaningful for CPU) */
    public int threads() {
        return threads;
    }

    /** @return {@code ggml_backend_name}, e.g. "CPU" */
    public String name() {
        return cString(Ggml.ggml_backend_name(handle()));
    }

    /** @return whether the backend can run this op node as its sources are placed ({@code ggml_backend_supports_op}) */
    public boolean supportsOp(MemorySegment node) {
        return Ggml.ggml_backend_supports_op(handle(), node);
    }

    /**
     * Computes a graph ({@code ggml_backend_graph_compute}, which waits for the device).
     *
     * @return the ggml status, {@code GGML_STATUS_SUCCESS} = 0
     */
    public int compute(MemorySegment graph) {
        return Ggml.ggml_backend_graph_compute(handle(), graph);
    }

    /** Waits for all work submitted to the backend. */
    public void synchronize() {
        Ggml.ggml_backend_synchronize(handle());
    }

    /** @return the device's default buffer type */
    MemorySegment defaultBufferType() {
        return Ggml.ggml_backend_get_default_buffer_type(handle());
    }

    /**
     * The buffer types llama.cpp tries for a model weight on this device, in its order
     * (llama_model's make_cpu_buft_list / make_gpu_buft_list): on the CPU, accelerator buffer
     * types, then the first GPU's host (pinned) buffer type when the build has a GPU, then the CPU's
     * extra buffer types (the repacking buffer that lays quantized weights out for the SIMD
     * kernels, AMX, ...), then the CPU's own; on a GPU, its own buffer type.
     */
    List<MemorySegment> engineWeightBufferTypes() {
        handle();
        List<MemorySegment> out = new ArrayList<>();
        if (!cpu) {
            out.add(Ggml.ggml_backend_dev_buffer_type(device));
            return out;
        }
        long n = Ggml.ggml_backend_dev_count();
        MemorySegment cpuBuft = Ggml.ggml_backend_dev_buffer_type(device);
        for (long i = 0; i < n; i++) {
            MemorySegment d = Ggml.ggml_backend_dev_get(i);
            if (Ggml.ggml_backend_dev_type(d) == Ggml.GGML_BACKEND_DEVICE_TYPE_ACCEL()) {
                MemorySegment b = Ggml.ggml_backend_dev_buffer_type(d);
                if (b.address() != cpuBuft.address()) {
                    out.add(b);
                }
            }
        }
        for (long i = 0; i < n; i++) {
            MemorySegment d = Ggml.ggml_backend_dev_get(i);
            int t = Ggml.ggml_backend_dev_type(d);
            if (t == Ggml.GGML_BACKEND_DEVICE_TYPE_GPU() || t == Ggml.GGML_BACKEND_DEVICE_TYPE_IGPU()) {
                MemorySegment host = Ggml.ggml_backend_dev_host_buffer_type(d);
                if (host.address() != 0) {
                    out.add(host);
                }
                break;
            }
        }
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment fn = Ggml.ggml_backend_reg_get_proc_address(Ggml.ggml_backend_dev_backend_reg(device),
                    tmp.allocateFrom("ggml_backend_dev_get_extra_bufts"));
            if (fn != null && fn.address() != 0) {
                MemorySegment list = ggml_backend_dev_get_extra_bufts_t.invoke(fn, device);
                if (list != null && list.address() != 0) {
                    MemorySegment arr = list.reinterpret(8L * 64);
                    for (int i = 0; i < 64 && arr.getAtIndex(ValueLayout.ADDRESS, i).address() != 0; i++) {
                        out.add(arr.getAtIndex(ValueLayout.ADDRESS, i));
                    }
                }
            }
        }
        out.add(cpuBuft);
        return out;
    }

    MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("GgmlBackend " + deviceName + " is closed");
        }
        return handle;
    }

    /** Frees the backend. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
    }

    @Override
    public String toString() {
        return deviceName + (cpu ? " (" + threads + " threads)" : "") + ": " + description;
    }

    static String cString(MemorySegment p) {
        return p == null || p.address() == 0 ? "" : p.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
