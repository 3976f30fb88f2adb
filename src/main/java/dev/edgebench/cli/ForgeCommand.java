package dev.edgebench.cli;

import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.ModelForge;
import dev.edgebench.model.Models;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code forge [--clean] NAME[:TYPE][@SEED] ...}: makes synthetic catalog models in the model
 * cache (each printed as {@code ref<TAB>file<TAB>seconds}), and with {@code --clean} first removes
 * the partial files and stale locks that interrupted forges left there.
 */
@CommandLine.Command(name = "forge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Makes synthetic catalog models (the real architecture and tokenizer, seeded random weights) in the"
                + " model cache, quantized by the engine's own quantizer; a cached model is not made again.",
                "Prints one line per model: the reference, the file and the seconds it took.",
                "The cache: -Dedgebench.models, else EDGEBENCH_MODELS, else ~/.cache/edgebench/models."},
        footer = {"", "Example: forge Llama-3.2-1B:Q4_0 Qwen3-0.6B:Q4_K_M", "Exit codes: 0 done; 2 bad input or a forge that failed."})
public final class ForgeCommand implements Callable<Integer> {
    @CommandLine.Parameters(arity = "0..*", paramLabel = "NAME[:TYPE][@SEED]",
            description = "catalog models (see `catalog`); TYPE defaults to Q4_0, SEED to " + ModelForge.DEFAULT_SEED)
    List<String> models = List.of();

    @CommandLine.Option(names = "--clean",
            description = "first remove the partial files and stale locks interrupted forges left in the cache"
                    + " (forges running in other processes are left alone)")
    boolean clean;

    @Override
    public Integer call() {
        if (models.isEmpty() && !clean) {
            throw new IllegalArgumentException("name at least one model, e.g. forge Llama-3.2-1B:Q4_0 Qwen3-0.6B:Q4_K_M; or --clean");
        }
        if (clean) {
            Path cache = ModelForge.defaultCacheDir();
            try {
                ModelForge.Cleanup c = Models.cleanForgeLeftovers();
                c.removed().forEach(f -> System.err.println("forge: removed " + f));
                c.inUse().forEach(f -> System.err.println("forge: left " + f + ": a forge running now owns it"));
                System.err.printf(Locale.ROOT, "forge: --clean removed %d file(s), %.1f MiB, from %s%n", c.removed().size(),
                        c.removedBytes() / (double) (1 << 20), cache);
            } catch (IOException e) {
                System.err.println("forge: cannot clean the model cache " + cache + ": " + IoErrors.describe(e));
                return 1;
            }
        }
        for (String a : models) {
            Models.Ref ref = Models.parse(a, Catalog.builtin());
            if (!ref.isCatalog()) {
                throw new IllegalArgumentException(a + " is a file, not a catalog model");
            }
            long t0 = System.nanoTime();
            try {
                Path p = LlamaQuantizer.resolve(ref);
                System.out.printf(Locale.ROOT, "%s\t%s\t%.1f s%n", ref, p, (System.nanoTime() - t0) / 1e9);
            } catch (ModelForge.ForgeException e) {
                System.err.println("forge: " + e.getMessage());
                return Cli.BAD_INPUT;
            }
        }
        return 0;
    }
}
