package dev.edgebench.telemetry.nvml;

import dev.edgebench.bindings.nvml.Nvml;

import java.util.HashMap;
import java.util.Map;

/** Names of NVML's {@code nvmlReturn_t} codes, with the values of the generated bindings. */
public final class NvmlReturn {
    /** {@code NVML_SUCCESS}. */
    public static final int SUCCESS = Nvml.NVML_SUCCESS();
    /** {@code NVML_ERROR_NOT_SUPPORTED}: what Jetson's NVML answers to every metric. */
    public static final int NOT_SUPPORTED = Nvml.NVML_ERROR_NOT_SUPPORTED();
    /** {@code NVML_ERROR_FUNCTION_NOT_FOUND}: the loaded library does not export the call. */
    public static final int FUNCTION_NOT_FOUND = Nvml.NVML_ERROR_FUNCTION_NOT_FOUND();

    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        put(Nvml.NVML_SUCCESS(), "NVML_SUCCESS");
        put(Nvml.NVML_ERROR_UNINITIALIZED(), "NVML_ERROR_UNINITIALIZED");
        put(Nvml.NVML_ERROR_INVALID_ARGUMENT(), "NVML_ERROR_INVALID_ARGUMENT");
        put(Nvml.NVML_ERROR_NOT_SUPPORTED(), "NVML_ERROR_NOT_SUPPORTED");
        put(Nvml.NVML_ERROR_NO_PERMISSION(), "NVML_ERROR_NO_PERMISSION");
        put(Nvml.NVML_ERROR_ALREADY_INITIALIZED(), "NVML_ERROR_ALREADY_INITIALIZED");
        put(Nvml.NVML_ERROR_NOT_FOUND(), "NVML_ERROR_NOT_FOUND");
        put(Nvml.NVML_ERROR_INSUFFICIENT_SIZE(), "NVML_ERROR_INSUFFICIENT_SIZE");
        put(Nvml.NVML_ERROR_INSUFFICIENT_POWER(), "NVML_ERROR_INSUFFICIENT_POWER");
        put(Nvml.NVML_ERROR_DRIVER_NOT_LOADED(), "NVML_ERROR_DRIVER_NOT_LOADED");
        put(Nvml.NVML_ERROR_TIMEOUT(), "NVML_ERROR_TIMEOUT");
        put(Nvml.NVML_ERROR_IRQ_ISSUE(), "NVML_ERROR_IRQ_ISSUE");
        put(Nvml.NVML_ERROR_LIBRARY_NOT_FOUND(), "NVML_ERROR_LIBRARY_NOT_FOUND");
        put(Nvml.NVML_ERROR_FUNCTION_NOT_FOUND(), "NVML_ERROR_FUNCTION_NOT_FOUND");
        put(Nvml.NVML_ERROR_CORRUPTED_INFOROM(), "NVML_ERROR_CORRUPTED_INFOROM");
        put(Nvml.NVML_ERROR_GPU_IS_LOST(), "NVML_ERROR_GPU_IS_LOST");
        put(Nvml.NVML_ERROR_RESET_REQUIRED(), "NVML_ERROR_RESET_REQUIRED");
        put(Nvml.NVML_ERROR_OPERATING_SYSTEM(), "NVML_ERROR_OPERATING_SYSTEM");
        put(Nvml.NVML_ERROR_LIB_RM_VERSION_MISMATCH(), "NVML_ERROR_LIB_RM_VERSION_MISMATCH");
        put(Nvml.NVML_ERROR_IN_USE(), "NVML_ERROR_IN_USE");
        put(Nvml.NVML_ERROR_MEMORY(), "NVML_ERROR_MEMORY");
        put(Nvml.NVML_ERROR_NO_DATA(), "NVML_ERROR_NO_DATA");
        put(Nvml.NVML_ERROR_VGPU_ECC_NOT_SUPPORTED(), "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED");
        put(Nvml.NVML_ERROR_INSUFFICIENT_RESOURCES(), "NVML_ERROR_INSUFFICIENT_RESOURCES");
        put(Nvml.NVML_ERROR_FREQ_NOT_SUPPORTED(), "NVML_ERROR_FREQ_NOT_SUPPORTED");
        put(Nvml.NVML_ERROR_ARGUMENT_VERSION_MISMATCH(), "NVML_ERROR_ARGUMENT_VERSION_MISMATCH");
        put(Nvml.NVML_ERROR_DEPRECATED(), "NVML_ERROR_DEPRECATED");
        put(Nvml.NVML_ERROR_NOT_READY(), "NVML_ERROR_NOT_READY");
        put(Nvml.NVML_ERROR_GPU_NOT_FOUND(), "NVML_ERROR_GPU_NOT_FOUND");
        put(Nvml.NVML_ERROR_INVALID_STATE(), "NVML_ERROR_INVALID_STATE");
        put(Nvml.NVML_ERROR_RESET_TYPE_NOT_SUPPORTED(), "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED");
        put(Nvml.NVML_ERROR_UNKNOWN(), "NVML_ERROR_UNKNOWN");
    }

    private NvmlReturn() {
    }

    private static void put(int code, String name) {
        NAMES.put(code, name);
    }

    /** @return the constant's name, e.g. {@code NVML_ERROR_NOT_SUPPORTED}, or {@code nvmlReturn_t(<code>)} when unknown */
    public static String name(int code) {
        String n = NAMES.get(code);
        return n != null ? n : "nvmlReturn_t(" + code + ")";
    }
}
