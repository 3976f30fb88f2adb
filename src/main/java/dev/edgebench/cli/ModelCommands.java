package dev.edgebench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgufFormatException;
import dev.edgebench.model.ModelFacts;
import dev.edgebench.model.ModelForge;
import dev.edgebench.model.Models;

import java.nio.file.Path;
import java.util.Locale;

/** The {@code forge}, {@code facts} and {@code catalog} commands. */
final class ModelCommands {
    private ModelCommands() {
    }

    static int forge(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: forge NAME[:TYPE][@SEED] ...   e.g. forge Llama-3.2-1B:Q4_0 Qwen3-0.6B:Q4_K_M");
            return 2;
        }
        for (String a : args) {
            try {
                Models.Ref ref = Models.parse(a, Catalog.builtin());
                if (!ref.isCatalog()) {
                    System.err.println("forge: " + a + " is a file, not a catalog model");
                    return 2;
                }
                long t0 = System.nanoTime();
                Path p = Models.resolve(ref, new LlamaQuantizer(), System.err::println);
                System.out.printf(Locale.ROOT, "%s\t%s\t%.1f s%n", ref, p, (System.nanoTime() - t0) / 1e9);
            } catch (IllegalArgumentException | ModelForge.ForgeException e) {
                System.err.println("forge: " + e.getMessage());
                return 2;
            }
        }
        return 0;
    }

    static int facts(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: facts NAME:TYPE|FILE.gguf");
            return 2;
        }
        try {
            Models.Ref ref = Models.parse(args[0], Catalog.builtin());
            Path p = Models.resolve(ref, new LlamaQuantizer(), System.err::println);
            ModelFacts f = ModelFacts.of(p);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(f.toMap()));
            return 0;
        } catch (IllegalArgumentException | ModelForge.ForgeException | GgufFormatException e) {
            System.err.println("facts: " + e.getMessage());
            return 2;
        }
    }

    static int catalog(String[] args) {
        Catalog c = Catalog.builtin();
        System.out.printf(Locale.ROOT, "%-16s %-7s %14s %14s  %s%n", "name", "arch", "params", "published", "tokenizer");
        for (Catalog.ModelSpec m : c.models()) {
            System.out.printf(Locale.ROOT, "%-16s %-7s %,14d %,14d  %s%n", m.name(), m.arch(), c.parameterCount(m),
                    m.publishedParams(), m.tokenizer() == null ? "synthetic" : m.tokenizer());
        }
        return 0;
    }
}
