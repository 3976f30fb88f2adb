package dev.edgebench.telemetry.nvml;

import java.util.List;

/** NVML could not be loaded; the message lists every place tried and what was wrong there. */
public final class NvmlUnavailableException extends Exception {
    private final List<String> tried;

    /** @param tried one line per place tried, with what was wrong there */
    public NvmlUnavailableException(List<String> tried) {
        super("libnvidia-ml.so.1 (NVML, installed with the NVIDIA driver) not loadable from any of " + tried.size()
                + " place(s); tried, in order:\n  - "
                + String.join("\n  - ", tried)
                + "\nSet edgebench.nvml.lib (or EDGEBENCH_NVML_LIB) to the file where the driver installed it.");
        this.tried = List.copyOf(tried);
    }

    /** @return one line per place tried */
    public List<String> tried() {
        return tried;
    }
}
