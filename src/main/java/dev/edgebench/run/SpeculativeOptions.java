package dev.edgebench.run;

import java.util.List;

/**
 * What the {@code speculative} workload was asked: the draft model, the draft lengths k to sweep,
 * and the synthetic acceptance profiles to sweep (none: the models' own agreement decides).
 *
 * @param draft       catalog {@code NAME:TYPE[@SEED]} or a .gguf path; null when not given
 * @param draftTokens k values, each ≥ 1
 * @param acceptRates {@code --accept-rate} values (one number, or a per-position list); empty = real or self mode
 */
public record SpeculativeOptions(String draft, List<Integer> draftTokens, List<String> acceptRates) {
    /** The {@code acceptRate} parameter of a cell that uses the models' own agreement. */
    public static final String NO_PROFILE = "none";
    /** Draft lengths when {@code --draft-tokens} is not given. */
    public static final List<Integer> DEFAULT_DRAFT_TOKENS = List.of(4);

    public SpeculativeOptions {
        draftTokens = List.copyOf(draftTokens);
        acceptRates = List.copyOf(acceptRates);
    }

    /** @return no draft, the default k, no profile */
    public static SpeculativeOptions none() {
        return new SpeculativeOptions(null, DEFAULT_DRAFT_TOKENS, List.of());
    }

    /** @return the acceptRate parameter values: the profiles, or {@link #NO_PROFILE} */
    public List<String> acceptRateParams() {
        return acceptRates.isEmpty() ? List.of(NO_PROFILE) : acceptRates;
    }
}
