package dev.edgebench.telemetry.nvml;

/**
 * Makes an {@link NvmlApi}: the real library ({@link #system()}) or, in tests, recorded readings.
 * Called on the thread that will use the API.
 */
@FunctionalInterface
public interface NvmlProvider {
    /**
     * @return an API ready for {@link NvmlApi#init()}
     * @throws NvmlUnavailableException when the library cannot be loaded
     */
    NvmlApi open() throws NvmlUnavailableException;

    /** @return the provider of the driver's own {@code libnvidia-ml}, found by {@link NvmlLibrary#load()} */
    static NvmlProvider system() {
        return () -> new NvmlNative(NvmlLibrary.load());
    }
}
