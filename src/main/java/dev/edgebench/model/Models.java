package dev.edgebench.model;

import dev.edgebench.util.EdgebenchHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Resolves what users write for a model: a catalog name with a type ({@code Llama-3.2-1B:Q4_0},
 * optionally {@code @seed}) or a path to a GGUF file.
 */
public final class Models {
    private Models() {
    }

    /** A parsed model reference. */
    public record Ref(String catalogName, LlamaFileType type, long seed, Path file) {
        /** @return true for a catalog model, false for a file */
        public boolean isCatalog() {
            return file == null;
        }

        /** @return a short label for tables: "Llama-3.2-1B" or the file name */
        public String label() {
            return isCatalog() ? catalogName : file.getFileName().toString();
        }

        @Override
        public String toString() {
            return isCatalog() ? catalogName + ":" + type + (seed == ModelForge.DEFAULT_SEED ? "" : "@" + seed) : file.toString();
        }
    }

    /**
     * Parses {@code NAME:TYPE[@SEED]} or a path ending in {@code .gguf}.
     *
     * @throws IllegalArgumentException naming what is wrong (unknown model, unknown type, missing file)
     */
    public static Ref parse(String spec, Catalog catalog) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no model given; use NAME:TYPE (e.g. Llama-3.2-1B:Q4_0) or a .gguf path");
        }
        String s = spec.trim();
        if (s.endsWith(".gguf") || s.contains("/")) {
            Path p = Path.of(s);
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("model file not found: " + p.toAbsolutePath());
            }
            return new Ref(null, null, 0, p.toAbsolutePath().normalize());
        }
        long seed = ModelForge.DEFAULT_SEED;
        int at = s.lastIndexOf('@');
        if (at > 0) {
            try {
                seed = Long.parseLong(s.substring(at + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad seed in model '" + spec + "': " + s.substring(at + 1));
            }
            s = s.substring(0, at);
        }
        int colon = s.lastIndexOf(':');
        String name = colon > 0 ? s.substring(0, colon) : s;
        String type = colon > 0 ? s.substring(colon + 1) : "Q4_0";
        Catalog.ModelSpec m = catalog.model(name);
        return new Ref(m.name(), LlamaFileType.parse(type), seed, null);
    }

    /** @return the pinned source's vocabulary folder: {@code $LLAMA_CPP_SRC/models} or {@code <home>/native/src/llama.cpp/models} */
    public static Path vocabDir() {
        String src = System.getenv("LLAMA_CPP_SRC");
        Path root = src != null && !src.isBlank() ? Path.of(src) : EdgebenchHome.dir().resolve("native/src/llama.cpp");
        return root.resolve("models");
    }

    /**
     * Checks, before anything is forged or planned, that the engine build at {@code engineBuildDir}
     * can load the model: a catalog model's architecture comes from the catalog, a file's from its
     * GGUF header ({@code general.architecture}).
     *
     * @param ref            the model
     * @param engineBuildDir the engine build folder (holding {@code lib/} and {@code manifest.json})
     * @return the model's architecture
     * @throws EngineArchitectures.UnsupportedArchitectureException when the build does not know it; the
     *                                  message names the build and lists what it supports
     * @throws GgufFormatException      when the file is not valid GGUF
     * @throws IOException              when the file or the build's list cannot be read
     */
    public static String checkArchitecture(Ref ref, Path engineBuildDir) throws IOException {
        String arch;
        if (ref.isCatalog()) {
            arch = Catalog.builtin().model(ref.catalogName()).arch();
        } else {
            GgufFile g = GgufFile.read(ref.file());
            arch = g.getString("general.architecture", null);
            if (arch == null) {
                throw new GgufFormatException(ref.file() + ": no general.architecture in the header");
            }
        }
        String model = ref.isCatalog() ? ref.toString() : ref.file().toString();
        EngineArchitectures.read(engineBuildDir).ifPresent(a -> a.check(model, arch));
        return arch;
    }

    /**
     * Removes what interrupted forges left in the default model cache ({@code forge --clean}); see
     * {@link ModelForge#cleanLeftovers()}.
     */
    public static ModelForge.Cleanup cleanForgeLeftovers() throws IOException {
        return new ModelForge(Catalog.builtin(), ModelForge.defaultCacheDir(), vocabDir(), null, s -> { }).cleanLeftovers();
    }

    /**
     * Returns the file of a reference, forging a catalog model when it is not cached.
     */
    public static Path resolve(Ref ref, Quantizer quantizer, Consumer<String> progress) {
        if (!ref.isCatalog()) {
            return ref.file();
        }
        ModelForge forge = new ModelForge(Catalog.builtin(), ModelForge.defaultCacheDir(), vocabDir(), quantizer, progress);
        return forge.forge(Catalog.builtin().model(ref.catalogName()), ref.type(), ref.seed());
    }
}
