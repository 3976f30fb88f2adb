package dev.edgebench.telemetry.nvml;

/**
 * The NVML calls the telemetry sampler makes, one method per C function, returning NVML's
 * {@code nvmlReturn_t} code as is; values go to caller-owned arrays so that sampling allocates
 * nothing. Devices are addressed by index after {@link #deviceGetHandleByIndex}. An interface so
 * that tests can replay recorded readings; {@link NvmlNative} is the real library.
 *
 * <p>Threading: an implementation may be confined to the thread that created it (NvmlNative is).
 */
public interface NvmlApi extends AutoCloseable {
    /** {@code nvmlInit_v2()}. */
    int init();

    /** {@code nvmlShutdown()}. */
    int shutdown();

    /** @return {@code nvmlErrorString(result)}, the library's own description of a return code */
    String errorString(int result);

    /** {@code nvmlSystemGetDriverVersion}; the version string goes to {@code out[0]}. */
    int systemGetDriverVersion(String[] out);

    /** {@code nvmlDeviceGetCount_v2}; the count goes to {@code out[0]}. */
    int deviceGetCount(int[] out);

    /** {@code nvmlDeviceGetHandleByIndex_v2}; keeps the handle for the calls below. */
    int deviceGetHandleByIndex(int index);

    /** {@code nvmlDeviceGetName}; the name goes to {@code out[0]}. */
    int deviceGetName(int index, String[] out);

    /** {@code nvmlDeviceGetPowerUsage}: power in mW to {@code out[0]} (a 1 s average on Ampere and newer). */
    int deviceGetPowerUsage(int index, long[] out);

    /** {@code nvmlDeviceGetEnforcedPowerLimit}: limit in mW to {@code out[0]}. */
    int deviceGetEnforcedPowerLimit(int index, long[] out);

    /** {@code nvmlDeviceGetTotalEnergyConsumption}: mJ since the driver loaded to {@code out[0]}. */
    int deviceGetTotalEnergyConsumption(int index, long[] out);

    /** {@code nvmlDeviceGetClockInfo(type)}: MHz to {@code out[0]}; type is {@code NVML_CLOCK_SM} or {@code NVML_CLOCK_MEM}. */
    int deviceGetClockInfo(int index, int clockType, long[] out);

    /** The GPU die temperature in °C to {@code out[0]} ({@code nvmlDeviceGetTemperatureV}, or the older call). */
    int deviceGetTemperatureGpu(int index, long[] out);

    /** {@code nvmlDeviceGetCurrentClocksEventReasons}: the reasons bitmask to {@code out[0]}. */
    int deviceGetCurrentClocksEventReasons(int index, long[] out);

    /** Device memory in use, bytes, to {@code out[0]} ({@code nvmlDeviceGetMemoryInfo_v2}, or v1). */
    int deviceGetMemoryUsed(int index, long[] out);

    /** @return where the library came from and which call variants it uses, for reports */
    String description();

    /** Releases this wrapper's memory (not NVML itself: call {@link #shutdown()} for that). Never throws. */
    @Override
    void close();
}
