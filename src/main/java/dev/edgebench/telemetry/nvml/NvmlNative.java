package dev.edgebench.telemetry.nvml;

import dev.edgebench.bindings.nvml.Nvml;
import dev.edgebench.bindings.nvml.nvmlDevice_t;
import dev.edgebench.bindings.nvml.nvmlMemory_t;
import dev.edgebench.bindings.nvml.nvmlMemory_v2_t;
import dev.edgebench.bindings.nvml.nvmlTemperature_v1_t;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link NvmlApi} over the real {@code libnvidia-ml} through the generated bindings
 * ({@code dev.edgebench.bindings.nvml.Nvml}). {@link NvmlLibrary#load()} must have loaded the
 * library first.
 *
 * <p>Calls that newer drivers added are used when the loaded library exports them and the older
 * ones otherwise, so one jar works from R535-era drivers to NVML 13: temperature through
 * {@code nvmlDeviceGetTemperatureV} else the deprecated {@code nvmlDeviceGetTemperature}; memory
 * through {@code nvmlDeviceGetMemoryInfo_v2} else v1; clock-event reasons through
 * {@code nvmlDeviceGetCurrentClocksEventReasons} else the older, same-signature
 * {@code nvmlDeviceGetCurrentClocksThrottleReasons}, which the pinned header no longer declares
 * and is therefore bound here by hand. A call the library lacks returns
 * {@code NVML_ERROR_FUNCTION_NOT_FOUND}.
 *
 * <p>Threading: confined to the creating thread (its scratch memory is a confined arena).
 * Ownership: owns that arena; {@link #close()} frees it.
 */
public final class NvmlNative implements NvmlApi {
    private static final int TEXT_BYTES = Math.max(Nvml.NVML_DEVICE_NAME_V2_BUFFER_SIZE(),
            Nvml.NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE());

    private final Path library;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment intOut = arena.allocate(Nvml.C_INT);
    private final MemorySegment longOut = arena.allocate(Nvml.C_LONG_LONG);
    private final MemorySegment text = arena.allocate(TEXT_BYTES);
    private final MemorySegment temperature = nvmlTemperature_v1_t.allocate(arena);
    private final MemorySegment memoryV2 = nvmlMemory_v2_t.allocate(arena);
    private final MemorySegment memoryV1 = nvmlMemory_t.allocate(arena);
    private final List<MemorySegment> handles = new ArrayList<>();
    private final boolean hasEnergy;
    private final boolean hasPowerLimit;
    private final boolean hasTemperatureV;
    private final boolean hasTemperatureV1;
    private final boolean hasEventReasons;
    private final MethodHandle legacyThrottleReasons;
    private final boolean hasMemoryV2;
    private final boolean hasMemoryV1;

    /**
     * @param library the file {@link NvmlLibrary#load()} loaded, for reports
     */
    public NvmlNative(Path library) {
        this.library = library;
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        hasEnergy = lookup.find("nvmlDeviceGetTotalEnergyConsumption").isPresent();
        hasPowerLimit = lookup.find("nvmlDeviceGetEnforcedPowerLimit").isPresent();
        hasTemperatureV = lookup.find("nvmlDeviceGetTemperatureV").isPresent();
        hasTemperatureV1 = lookup.find("nvmlDeviceGetTemperature").isPresent();
        hasEventReasons = lookup.find("nvmlDeviceGetCurrentClocksEventReasons").isPresent();
        Optional<MemorySegment> legacy = lookup.find("nvmlDeviceGetCurrentClocksThrottleReasons");
        // nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t, unsigned long long *): the
        // signature of nvmlDeviceGetCurrentClocksEventReasons, whose generated descriptor cannot be read
        // without resolving that (possibly absent) symbol.
        legacyThrottleReasons = hasEventReasons || legacy.isEmpty() ? null : Linker.nativeLinker().downcallHandle(
                legacy.get(), FunctionDescriptor.of(Nvml.C_INT, nvmlDevice_t.layout(), Nvml.C_POINTER));
        hasMemoryV2 = lookup.find("nvmlDeviceGetMemoryInfo_v2").isPresent();
        hasMemoryV1 = lookup.find("nvmlDeviceGetMemoryInfo").isPresent();
    }

    @Override
    public int init() {
        return Nvml.nvmlInit_v2();
    }

    @Override
    public int shutdown() {
        return Nvml.nvmlShutdown();
    }

    @Override
    public String errorString(int result) {
        MemorySegment s = Nvml.nvmlErrorString(result);
        return s.equals(MemorySegment.NULL) ? "(no description)" : s.reinterpret(256).getString(0);
    }

    @Override
    public int systemGetDriverVersion(String[] out) {
        int rc = Nvml.nvmlSystemGetDriverVersion(text, (int) text.byteSize());
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = text.getString(0);
        }
        return rc;
    }

    @Override
    public int deviceGetCount(int[] out) {
        int rc = Nvml.nvmlDeviceGetCount_v2(intOut);
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = intOut.get(Nvml.C_INT, 0);
        }
        return rc;
    }

    @Override
    public int deviceGetHandleByIndex(int index) {
        MemorySegment handle = nvmlDevice_t.allocate(arena);
        int rc = Nvml.nvmlDeviceGetHandleByIndex_v2(index, handle);
        if (rc == NvmlReturn.SUCCESS) {
            while (handles.size() <= index) {
                handles.add(null);
            }
            handles.set(index, handle);
        }
        return rc;
    }

    private MemorySegment handle(int index) {
        MemorySegment h = index < handles.size() ? handles.get(index) : null;
        if (h == null) {
            throw new IllegalStateException("NVML device " + index + " has no handle: call deviceGetHandleByIndex first");
        }
        return h;
    }

    @Override
    public int deviceGetName(int index, String[] out) {
        int rc = Nvml.nvmlDeviceGetName(handle(index), text, (int) text.byteSize());
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = text.getString(0);
        }
        return rc;
    }

    @Override
    public int deviceGetPowerUsage(int index, long[] out) {
        int rc = Nvml.nvmlDeviceGetPowerUsage(handle(index), intOut);
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = Integer.toUnsignedLong(intOut.get(Nvml.C_INT, 0));
        }
        return rc;
    }

    @Override
    public int deviceGetEnforcedPowerLimit(int index, long[] out) {
        if (!hasPowerLimit) {
            return NvmlReturn.FUNCTION_NOT_FOUND;
        }
        int rc = Nvml.nvmlDeviceGetEnforcedPowerLimit(handle(index), intOut);
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = Integer.toUnsignedLong(intOut.get(Nvml.C_INT, 0));
        }
        return rc;
    }

    @Override
    public int deviceGetTotalEnergyConsumption(int index, long[] out) {
        if (!hasEnergy) {
            return NvmlReturn.FUNCTION_NOT_FOUND;
        }
        int rc = Nvml.nvmlDeviceGetTotalEnergyConsumption(handle(index), longOut);
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = longOut.get(Nvml.C_LONG_LONG, 0);
        }
        return rc;
    }

    @Override
    public int deviceGetClockInfo(int index, int clockType, long[] out) {
        int rc = Nvml.nvmlDeviceGetClockInfo(handle(index), clockType, intOut);
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = Integer.toUnsignedLong(intOut.get(Nvml.C_INT, 0));
        }
        return rc;
    }

    @Override
    public int deviceGetTemperatureGpu(int index, long[] out) {
        int rc;
        if (hasTemperatureV) {
            nvmlTemperature_v1_t.version(temperature, Nvml.nvmlTemperature_v1());
            nvmlTemperature_v1_t.sensorType(temperature, Nvml.NVML_TEMPERATURE_GPU());
            rc = Nvml.nvmlDeviceGetTemperatureV(handle(index), temperature);
            if (rc == NvmlReturn.SUCCESS) {
                out[0] = nvmlTemperature_v1_t.temperature(temperature);
                return rc;
            }
            if (!hasTemperatureV1) {
                return rc;
            }
        } else if (!hasTemperatureV1) {
            return NvmlReturn.FUNCTION_NOT_FOUND;
        }
        rc = Nvml.nvmlDeviceGetTemperature(handle(index), Nvml.NVML_TEMPERATURE_GPU(), intOut);
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = Integer.toUnsignedLong(intOut.get(Nvml.C_INT, 0));
        }
        return rc;
    }

    @Override
    public int deviceGetCurrentClocksEventReasons(int index, long[] out) {
        int rc;
        if (hasEventReasons) {
            rc = Nvml.nvmlDeviceGetCurrentClocksEventReasons(handle(index), longOut);
        } else if (legacyThrottleReasons != null) {
            try {
                rc = (int) legacyThrottleReasons.invokeExact(handle(index), longOut);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("downcall nvmlDeviceGetCurrentClocksThrottleReasons", t);
            }
        } else {
            return NvmlReturn.FUNCTION_NOT_FOUND;
        }
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = longOut.get(Nvml.C_LONG_LONG, 0);
        }
        return rc;
    }

    @Override
    public int deviceGetMemoryUsed(int index, long[] out) {
        int rc;
        if (hasMemoryV2) {
            nvmlMemory_v2_t.version(memoryV2, Nvml.nvmlMemory_v2());
            rc = Nvml.nvmlDeviceGetMemoryInfo_v2(handle(index), memoryV2);
            if (rc == NvmlReturn.SUCCESS) {
                out[0] = nvmlMemory_v2_t.used(memoryV2);
                return rc;
            }
            if (!hasMemoryV1) {
                return rc;
            }
        } else if (!hasMemoryV1) {
            return NvmlReturn.FUNCTION_NOT_FOUND;
        }
        rc = Nvml.nvmlDeviceGetMemoryInfo(handle(index), memoryV1);
        if (rc == NvmlReturn.SUCCESS) {
            out[0] = nvmlMemory_t.used(memoryV1);
        }
        return rc;
    }

    @Override
    public String description() {
        return library + " (temperature: " + (hasTemperatureV ? "nvmlDeviceGetTemperatureV" : hasTemperatureV1
                ? "nvmlDeviceGetTemperature" : "none") + "; reasons: " + (hasEventReasons ? "nvmlDeviceGetCurrentClocksEventReasons"
                : legacyThrottleReasons != null ? "nvmlDeviceGetCurrentClocksThrottleReasons" : "none") + "; memory: "
                + (hasMemoryV2 ? "nvmlDeviceGetMemoryInfo_v2" : hasMemoryV1 ? "nvmlDeviceGetMemoryInfo" : "none") + ")";
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
