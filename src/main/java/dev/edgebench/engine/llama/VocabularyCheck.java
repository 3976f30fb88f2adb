package dev.edgebench.engine.llama;

import dev.edgebench.bindings.llama.Llama;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Optional;

/**
 * Whether a draft model may draft for a target: the check of llama.cpp's
 * {@code common_speculative_are_compatible} ({@code common/speculative.cpp}), through llama.h
 * alone. The draft's tokens are fed to the target by id, so both must mean the same thing by
 * every id: the same tokenizer type, the same BOS/EOS handling, vocabulary sizes within 128 of
 * each other, and identical token texts from id 5 on (the first ids are control tokens that
 * tokenizers name differently). Stateless.
 */
public final class VocabularyCheck {
    /** llama.cpp's {@code SPEC_VOCAB_MAX_SIZE_DIFFERENCE}. */
    public static final int MAX_SIZE_DIFFERENCE = 128;
    /** llama.cpp's {@code SPEC_VOCAB_CHECK_START_TOKEN_ID}. */
    public static final int CHECK_START_TOKEN_ID = 5;

    private static final String[] TYPES = {"none", "SPM", "BPE", "WPM", "UGM", "RWKV", "PLaMo-2", "test"};

    private VocabularyCheck() {
    }

    /**
     * @return the first difference that makes the pair incompatible, named (empty when compatible)
     */
    public static Optional<String> difference(LlamaModel target, LlamaModel draft) {
        MemorySegment vt = target.vocab();
        MemorySegment vd = draft.vocab();
        int typeT = Llama.llama_vocab_type(vt);
        int typeD = Llama.llama_vocab_type(vd);
        if (typeT != typeD) {
            return Optional.of("vocabulary type differs: target " + typeName(typeT) + ", draft " + typeName(typeD));
        }
        boolean addBosT = Llama.llama_vocab_get_add_bos(vt);
        boolean addBosD = Llama.llama_vocab_get_add_bos(vd);
        if (addBosT != addBosD || (addBosT && Llama.llama_vocab_bos(vt) != Llama.llama_vocab_bos(vd))) {
            return Optional.of("BOS differs: target add_bos=" + addBosT + " id " + Llama.llama_vocab_bos(vt) + ", draft add_bos="
                    + addBosD + " id " + Llama.llama_vocab_bos(vd));
        }
        boolean addEosT = Llama.llama_vocab_get_add_eos(vt);
        boolean addEosD = Llama.llama_vocab_get_add_eos(vd);
        if (addEosT != addEosD || (addEosT && Llama.llama_vocab_eos(vt) != Llama.llama_vocab_eos(vd))) {
            return Optional.of("EOS differs: target add_eos=" + addEosT + " id " + Llama.llama_vocab_eos(vt) + ", draft add_eos="
                    + addEosD + " id " + Llama.llama_vocab_eos(vd));
        }
        int nT = Llama.llama_vocab_n_tokens(vt);
        int nD = Llama.llama_vocab_n_tokens(vd);
        if (Math.abs(nT - nD) > MAX_SIZE_DIFFERENCE) {
            return Optional.of("vocabulary size differs by " + Math.abs(nT - nD) + " tokens (target " + nT + ", draft " + nD
                    + "; at most " + MAX_SIZE_DIFFERENCE + ")");
        }
        for (int i = CHECK_START_TOKEN_ID; i < Math.min(nT, nD); i++) {
            byte[] a = text(vt, i);
            byte[] b = text(vd, i);
            if (!Arrays.equals(a, b)) {
                return Optional.of("token " + i + " differs: target '" + target.tokenToPiece(i) + "', draft '"
                        + draft.tokenToPiece(i) + "'");
            }
        }
        return Optional.empty();
    }

    /**
     * @throws IllegalArgumentException naming the difference, when the draft cannot draft for the target
     */
    public static void require(LlamaModel target, LlamaModel draft) {
        difference(target, draft).ifPresent(d -> {
            throw new IllegalArgumentException("draft " + draft.path().getFileName() + " cannot draft for target "
                    + target.path().getFileName() + ": " + d);
        });
    }

    private static byte[] text(MemorySegment vocab, int token) {
        MemorySegment s = Llama.llama_vocab_get_text(vocab, token);
        if (s.equals(MemorySegment.NULL)) {
            return new byte[0];
        }
        MemorySegment c = s.reinterpret(Long.MAX_VALUE);
        long n = 0;
        while (c.get(java.lang.foreign.ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        return c.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    private static String typeName(int type) {
        return type >= 0 && type < TYPES.length ? TYPES[type] + " (" + type + ")" : String.valueOf(type);
    }
}
