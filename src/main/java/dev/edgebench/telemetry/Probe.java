package dev.edgebench.telemetry;

import java.util.Objects;

/** The outcome of looking for one kind of sampler: opened, or unavailable with the reason. */
public sealed interface Probe permits Probe.Available, Probe.Unavailable {
    /** @return the sampler kind's name ({@code nvml}, {@code jetson}, {@code thermal}, {@code host}) */
    String name();

    /** The sampler was found and opened. */
    record Available(Sampler sampler) implements Probe {
        public Available {
            Objects.requireNonNull(sampler, "sampler");
        }

        @Override
        public String name() {
            return sampler.name();
        }
    }

    /**
     * The machine has no usable source of this kind.
     *
     * @param name   the sampler kind
     * @param reason why, naming what was looked for and what was wrong
     */
    record Unavailable(String name, String reason) implements Probe {
        public Unavailable {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
