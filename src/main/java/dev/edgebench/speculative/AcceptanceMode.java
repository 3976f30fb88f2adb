package dev.edgebench.speculative;

import java.util.Locale;

/**
 * Where the acceptance of a speculative run comes from; every result names its mode, because a
 * synthetic model's weights make the real acceptance meaningless (two random models almost
 * never agree).
 */
public enum AcceptanceMode {
    /** The target's greedy tokens decide: the models' own agreement. */
    REAL("real"),
    /** The target drafts for itself from the same seeded weights at another precision: real, partial agreement. */
    SELF("self"),
    /**
     * The verifier's outcome is drawn from a seeded per-position profile while the draft and the
     * target do all their real work (llama.cpp's benchmarking-only {@code --spec-synth-rates}).
     */
    SYNTHETIC("synthetic");

    private final String key;

    AcceptanceMode(String key) {
        this.key = key;
    }

    /** @return the name results record */
    public String key() {
        return key;
    }

    /**
     * Chooses the mode of a pair: synthetic when an acceptance profile is given, self when draft
     * and target are the same catalog model and seed, real otherwise.
     *
     * @param targetCatalog catalog name of the target, or null for a file
     * @param targetSeed    its forge seed
     * @param draftCatalog  catalog name of the draft, or null for a file
     * @param draftSeed     its forge seed
     * @param synthetic     whether an acceptance profile was given
     */
    public static AcceptanceMode of(String targetCatalog, long targetSeed, String draftCatalog, long draftSeed,
                                    boolean synthetic) {
        if (synthetic) {
            return SYNTHETIC;
        }
        if (targetCatalog != null && targetCatalog.equals(draftCatalog) && targetSeed == draftSeed) {
            return SELF;
        }
        return REAL;
    }

    /**
     * @throws IllegalArgumentException naming the known modes
     */
    public static AcceptanceMode named(String name) {
        for (AcceptanceMode m : values()) {
            if (m.key.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown acceptance mode '" + name + "'; known: real, self, synthetic");
    }
}
