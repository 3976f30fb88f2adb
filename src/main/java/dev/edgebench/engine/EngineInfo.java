package dev.edgebench.engine;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * What an engine says about itself for the record: which build is loaded and on what devices.
 *
 * @param name       the engine, e.g. "llama.cpp"
 * @param libraryDir the folder its libraries were loaded from
 * @param profile    the build profile (cpu, cuda, jetson-orin, ...)
 * @param build      the build's manifest.json as written by native/build.sh, or a note saying why there is none
 * @param systemInfo the engine's own description of the CPU features it was built with
 * @param gpuOffload whether the build can put layers on a GPU
 * @param devices    the engine's devices with their memory
 * @param logRoute   how the engine's log lines reach the JVM (a native gate, or every line as an upcall, which the
 *                   CUDA backend makes once per decode step)
 */
public record EngineInfo(String name, String libraryDir, String profile, JsonNode build, String systemInfo, boolean gpuOffload,
                         List<Device> devices, String logRoute) {
    /**
     * @param name             device name (CPU, CUDA0, ...)
     * @param description      the backend's description of it
     * @param type             cpu, gpu, igpu or accel
     * @param memoryTotalBytes its memory
     * @param memoryFreeBytes  free when asked
     */
    public record Device(String name, String description, String type, long memoryTotalBytes, long memoryFreeBytes) {
    }
}
