package dev.edgebench.cli;

import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.HfCheckpoint;
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

    @CommandLine.Option(names = "--hf", paramLabel = "DIR",
            description = "also write each model as a Hugging-Face checkpoint in DIR/<name>-seed<seed>/ (config.json,"
                    + " model.safetensors with the same weights, tokenizer.json from the GGUF's vocabulary) for TensorRT-LLM's"
                    + " converters and serving engines; TYPE defaults to F16 and must be F16, BF16 or F32 (llama, qwen2, qwen3)")
    Path hf;

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
        List<Models.Ref> refs = new java.util.ArrayList<>();
        for (String a : models) {
            String given = a;
            if (hf != null && !a.contains(":")) {
                int at = a.indexOf('@');
                given = at < 0 ? a + ":F16" : a.substring(0, at) + ":F16" + a.substring(at);
            }
            Models.Ref ref = Models.parse(given, Catalog.builtin());
            if (!ref.isCatalog()) {
                throw new IllegalArgumentException(a + " is a file, not a catalog model");
            }
            if (hf != null) {
                String t = ref.type().name();
                if (!t.equals("F16") && !t.equals("BF16") && !t.equals("F32")) {
                    throw new IllegalArgumentException("--hf writes unquantized weights: " + a + " is " + t + "; give "
                            + ref.catalogName() + ":F16 (or BF16, F32)");
                }
                String arch = Catalog.builtin().model(ref.catalogName()).arch();
                if (!java.util.Set.of("llama", "qwen2", "qwen3").contains(arch)) {
                    throw new IllegalArgumentException("--hf: " + ref.catalogName() + " is a " + arch + " model; checkpoints are"
                            + " written for llama, qwen2 and qwen3 models");
                }
            }
            refs.add(ref);
        }
        for (Models.Ref ref : refs) {
            long t0 = System.nanoTime();
            try {
                Path p = LlamaQuantizer.resolve(ref);
                System.out.printf(Locale.ROOT, "%s\t%s\t%.1f s%n", ref, p, (System.nanoTime() - t0) / 1e9);
                if (hf != null) {
                    long t1 = System.nanoTime();
                    HfCheckpoint.Result r = HfCheckpoint.export(Catalog.builtin().model(ref.catalogName()), p,
                            hf.resolve(ref.catalogName() + "-seed" + ref.seed()));
                    System.out.printf(Locale.ROOT, "%s\t%s\t%.1f s\t%d tensors, %.1f MiB; tokenizer: %s%n", ref, r.dir(),
                            (System.nanoTime() - t1) / 1e9, r.tensors(), r.bytes() / (double) (1 << 20), r.tokenizer());
                }
            } catch (ModelForge.ForgeException e) {
                System.err.println("forge: " + e.getMessage());
                return Cli.BAD_INPUT;
            } catch (IOException e) {
                System.err.println("forge: cannot write the checkpoint in " + hf + ": " + IoErrors.describe(e));
                return 1;
            }
        }
        return 0;
    }
}
