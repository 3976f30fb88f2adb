package dev.edgebench.run;

import dev.edgebench.model.Catalog;
import dev.edgebench.model.Models;
import dev.edgebench.speculative.AcceptanceProfile;

import java.util.List;
import java.util.Objects;

/**
 * The checks of the {@code speculative} workload that need no engine, run by {@link RunPlan#of}
 * before anything is forged or forked: a draft is given; every k is at least 1 and fits the
 * context beside the prompt and the generated tokens; every acceptance profile is a probability
 * (per position, not increasing) covering every k; catalog pairs share a tokenizer (files are
 * checked token by token when the benchmark loads them). A draft larger than its target is
 * allowed: the run's preflight, which knows both models' parameter counts, warns about it.
 */
public final class SpeculativePlan {
    private SpeculativePlan() {
    }

    /**
     * @throws IllegalArgumentException naming the option and the value
     */
    static void check(RunOptions o, List<Models.Ref> targets) {
        if (!o.workloads().contains(Workload.SPECULATIVE)) {
            return;
        }
        SpeculativeOptions s = o.speculative();
        if (s.draft() == null || s.draft().isBlank()) {
            throw new IllegalArgumentException("--draft: the speculative benchmark needs a draft model (catalog NAME:TYPE[@SEED]"
                    + " or a .gguf file)");
        }
        Models.Ref draft = Models.parse(s.draft(), Catalog.builtin());
        if (s.draftTokens().isEmpty()) {
            throw new IllegalArgumentException("--draft-tokens: no value given");
        }
        long draftTrain = RunPlan.trainedContext(draft);
        for (int k : s.draftTokens()) {
            if (k <= 0) {
                throw new IllegalArgumentException("--draft-tokens must be positive (k draft tokens per step), was " + k);
            }
            long perSeq = (long) o.nPrompt() + o.nGen() + k + 1;
            for (Models.Ref t : targets) {
                long train = RunPlan.trainedContext(t);
                if (train > 0 && perSeq > train) {
                    throw new IllegalArgumentException("--draft-tokens " + k + ": prompt " + o.nPrompt() + " + nGen " + o.nGen()
                            + " + k + 1 = " + perSeq + " tokens per sequence exceeds " + t.label() + "'s trained context of "
                            + train + " tokens");
                }
            }
            if (draftTrain > 0 && perSeq > draftTrain) {
                throw new IllegalArgumentException("--draft-tokens " + k + ": " + perSeq + " tokens per sequence exceeds the draft "
                        + draft.label() + "'s trained context of " + draftTrain + " tokens");
            }
            for (int b : o.batches()) {
                if (o.ctx() != null && (long) b * perSeq > o.ctx()) {
                    throw new IllegalArgumentException("--draft-tokens " + k + ": batch " + b + " × (prompt + nGen + k + 1) = "
                            + b * perSeq + " tokens exceeds the context of " + o.ctx() + " (--ctx)");
                }
            }
            for (String rate : s.acceptRates()) {
                AcceptanceProfile.parse(rate, k);
            }
        }
        for (String rate : s.acceptRates()) {
            if (rate.equalsIgnoreCase(SpeculativeOptions.NO_PROFILE)) {
                throw new IllegalArgumentException("--accept-rate " + rate + ": leave the option out for the models' own agreement");
            }
        }
        if (draft.isCatalog()) {
            for (Models.Ref t : targets) {
                if (t.isCatalog()) {
                    String tt = Catalog.builtin().model(t.catalogName()).tokenizer();
                    String dt = Catalog.builtin().model(draft.catalogName()).tokenizer();
                    if (!Objects.equals(tt, dt)) {
                        throw new IllegalArgumentException("--draft " + s.draft() + " cannot draft for " + t.label()
                                + ": their vocabularies differ (target tokenizer " + tt + ", draft tokenizer " + dt + ")");
                    }
                }
            }
        }
    }
}
