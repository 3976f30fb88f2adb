package dev.edgebench.telemetry;

import dev.edgebench.telemetry.nvml.NvmlSampler;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link #detect} found on this machine: one {@link Probe} per sampler kind, opened or
 * unavailable with the reason.
 *
 * @param probes in {@link TelemetryConfig#ALL_SAMPLERS} order
 */
public record Detection(List<Probe> probes) {
    public Detection {
        probes = List.copyOf(probes);
    }

    /**
     * Looks for every sampler kind the config names, on the calling thread (which then owns the
     * opened samplers). Never throws: a sampler that fails while opening is unavailable with the
     * failure as its reason.
     */
    public static Detection detect(TelemetryConfig config) {
        List<Probe> out = new ArrayList<>();
        for (String kind : TelemetryConfig.ALL_SAMPLERS) {
            if (!config.enabled()) {
                out.add(new Probe.Unavailable(kind, "telemetry is off (edgebench.telemetry=off)"));
                continue;
            }
            if (!config.samplers().contains(kind)) {
                out.add(new Probe.Unavailable(kind, "not selected (edgebench.telemetry.samplers="
                        + String.join(",", config.samplers().stream().sorted().toList()) + ")"));
                continue;
            }
            try {
                out.add(switch (kind) {
                    case "nvml" -> NvmlSampler.probe(config.nvml());
                    case "jetson" -> JetsonSampler.probe(config.root(), config.files(), config.commands());
                    case "thermal" -> ThermalSampler.probe(config.root(), config.files());
                    case "host" -> HostSampler.probe(config.root(), config.files());
                    default -> throw new IllegalStateException("no probe for sampler kind " + kind);
                });
            } catch (RuntimeException | LinkageError e) {
                out.add(new Probe.Unavailable(kind, "failed while opening: " + ErrorTally.describe(e)));
            }
        }
        return new Detection(out);
    }

    /** @return the opened samplers */
    public List<Sampler> samplers() {
        return probes.stream().filter(p -> p instanceof Probe.Available).map(p -> ((Probe.Available) p).sampler()).toList();
    }

    /** @return the kinds not available, with reasons */
    public List<Probe.Unavailable> unavailable() {
        return probes.stream().filter(p -> p instanceof Probe.Unavailable).map(p -> (Probe.Unavailable) p).toList();
    }
}
