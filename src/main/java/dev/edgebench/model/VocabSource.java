package dev.edgebench.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Where a model's vocabulary comes from. */
record VocabSource(String description, List<GgufKv> metadata) {
    static VocabSource of(Catalog.ModelSpec m, Path vocabDir) {
        long nVocab = m.hparam("n_vocab");
        if (m.tokenizer() == null) {
            return new VocabSource("synthetic (" + nVocab + " placeholder tokens; the real tokenizer is not shipped with"
                    + " the pinned engine source)", List.of(GgufKv.ofString("tokenizer.ggml.model", "none")));
        }
        Path file = vocabDir == null ? null : vocabDir.resolve("ggml-vocab-" + m.tokenizer() + ".gguf");
        if (file == null || !Files.isRegularFile(file)) {
            throw new ModelForge.ForgeException("the vocabulary file ggml-vocab-" + m.tokenizer() + ".gguf for " + m.name()
                    + " was not found in " + vocabDir + "; run `make native` to fetch the pinned llama.cpp source,"
                    + " or set LLAMA_CPP_SRC");
        }
        GgufFile g;
        try {
            g = GgufFile.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<GgufKv> kv = new java.util.ArrayList<>();
        for (GgufKv e : g.kv().values()) {
            if (e.key().startsWith("tokenizer.")) {
                kv.add(e);
            }
        }
        GgufKv tokens = g.get("tokenizer.ggml.tokens");
        long have = tokens == null ? 0 : tokens.arrayLength();
        if (have > nVocab) {
            throw new ModelForge.ForgeException("the " + m.tokenizer() + " vocabulary has " + have + " tokens, more than " + m.name()
                    + "'s " + nVocab);
        }
        if (have < nVocab) {
            kv = pad(kv, (int) have, (int) nVocab);
        }
        return new VocabSource(m.tokenizer() + " (from the pinned llama.cpp source, " + have + " tokens"
                + (have < nVocab ? " padded to " + nVocab : "") + ")", List.copyOf(kv));
    }

    /** Pads token arrays to the model's vocabulary size, as llama.cpp's converter does ([PADn], unused). */
    private static List<GgufKv> pad(List<GgufKv> kv, int have, int want) {
        List<GgufKv> out = new java.util.ArrayList<>();
        for (GgufKv e : kv) {
            switch (e.key()) {
                case "tokenizer.ggml.tokens" -> {
                    String[] a = Arrays.copyOf((String[]) e.value(), want);
                    for (int i = have; i < want; i++) {
                        a[i] = "[PAD" + i + "]";
                    }
                    out.add(new GgufKv(e.key(), e.type(), e.elementType(), a));
                }
                case "tokenizer.ggml.token_type" -> {
                    int[] a = Arrays.copyOf((int[]) e.value(), want);
                    Arrays.fill(a, have, want, 5);
                    out.add(new GgufKv(e.key(), e.type(), e.elementType(), a));
                }
                case "tokenizer.ggml.scores" -> {
                    float[] a = Arrays.copyOf((float[]) e.value(), want);
                    out.add(new GgufKv(e.key(), e.type(), e.elementType(), a));
                }
                default -> out.add(e);
            }
        }
        return out;
    }
}
