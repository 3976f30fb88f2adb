package dev.edgebench.model;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Forges synthetic GGUF models: the real architecture and tokenizer of a catalog model, with
 * seeded random weights, in any llama.cpp file type. Float types are written directly; other
 * types are written as F16 first and converted by the engine's quantizer, so that every tensor
 * gets the type llama.cpp itself would give it.
 *
 * <p>Models are cached in {@link #cacheDir()} by name, type and seed, and appear there only when
 * complete. Concurrent forges of the same model, even from other processes, wait for each other.
 * What a killed forge left (partial files of up to a few GB) is removed by the next forge of any
 * model once no process owns it, or by {@link #cleanLeftovers()}. A disk that fills up while
 * forging is reported as such, with the folder and its free space.
 */
public final class ModelForge {
    /** Bumped whenever forged bytes change; part of the file name so caches never mix versions. */
    public static final int FORGE_VERSION = 1;
    /** The default seed. */
    public static final long DEFAULT_SEED = 2026;

    /** Forges in progress in this JVM, by target file. */
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    /** Space kept free beyond a forge's estimate: the estimate is rough, and a full disk helps nobody. */
    static final long MARGIN_BYTES = 64L << 20;

    private final Catalog catalog;
    private final Path cacheDir;
    private final Path vocabDir;
    private final Quantizer quantizer;
    private final Consumer<String> progress;
    private final FreeSpace freeSpace;

    /** Usable bytes on the disk of a folder; replaceable in tests. */
    @FunctionalInterface
    interface FreeSpace {
        long usableBytes(Path dir) throws IOException;
    }

    /**
     * @param catalog   the models
     * @param cacheDir  where forged models live
     * @param vocabDir  the pinned llama.cpp source's {@code models/} folder (vocabulary files)
     * @param quantizer the engine's quantizer (needed only for non-float types)
     * @param progress  receives progress lines; may be a no-op
     */
    public ModelForge(Catalog catalog, Path cacheDir, Path vocabDir, Quantizer quantizer, Consumer<String> progress) {
        this(catalog, cacheDir, vocabDir, quantizer, progress, dir -> Files.getFileStore(dir).getUsableSpace());
    }

    ModelForge(Catalog catalog, Path cacheDir, Path vocabDir, Quantizer quantizer, Consumer<String> progress,
               FreeSpace freeSpace) {
        this.catalog = catalog;
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
        this.vocabDir = vocabDir;
        this.quantizer = quantizer;
        this.progress = progress;
        this.freeSpace = freeSpace;
    }

    /**
     * The default cache: system property {@code edgebench.models}, else environment variable
     * {@code EDGEBENCH_MODELS}, else {@code $XDG_CACHE_HOME/edgebench/models}, else
     * {@code ~/.cache/edgebench/models}.
     */
    public static Path defaultCacheDir() {
        String p = System.getProperty("edgebench.models");
        if (p == null || p.isBlank()) {
            p = System.getenv("EDGEBENCH_MODELS");
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("edgebench").resolve("models");
    }

    /** @return the cache folder */
    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * @return where a model would be cached
     */
    public Path pathFor(Catalog.ModelSpec m, LlamaFileType type, long seed) {
        return cacheDir.resolve(m.name()).resolve(m.name() + "-" + type.name() + "-seed" + seed + "-v" + FORGE_VERSION + ".gguf");
    }

    /**
     * Returns the cached model, forging it first when absent.
     *
     * @param name catalog name
     * @param type file type name (e.g. "Q4_K_M")
     * @param seed weight seed
     * @return the model file
     * @throws IllegalArgumentException for an unknown model, type or architecture (before anything is
     *                                  created on disk)
     * @throws ForgeException           when the cache cannot be written, the disk is too small, or the
     *                                  engine refuses the type; nothing is left behind
     */
    public Path forge(String name, String type, long seed) {
        return forge(catalog.model(name), LlamaFileType.parse(type), seed);
    }

    /** @see #forge(String, String, long) */
    public Path forge(Catalog.ModelSpec m, LlamaFileType type, long seed) {
        Path target = pathFor(m, type, seed);
        if (isComplete(target)) {
            return target;
        }
        // every catalog and vocabulary error surfaces here, before anything is created on disk
        List<Catalog.PlannedTensor> plan = catalog.plan(m);
        VocabSource vocab = VocabSource.of(m, vocabDir);
        GgufWriter w = layout(m, plan, vocab, type.isFloat() ? type.floatTensorType() : GgmlType.F16,
                type.isFloat() ? type : LlamaFileType.F16, seed);
        Path dir = target.getParent();
        ensureWritable(dir);
        // a file lock is held per JVM: threads of this one queue on a lock of their own first
        ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(target, k -> new ReentrantLock());
        inProcess.lock();
        Path lockFile = ForgeLeftovers.lockFile(target);
        try (FileChannel lockCh = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockCh.lock()) {
            if (isComplete(target)) {
                return target;
            }
            long t0 = System.nanoTime();
            forgeLocked(m, type, plan, w, target);
            progress.accept(String.format(Locale.ROOT, "forge: %s %s ready in %.1f s: %s (%s)", m.name(), type,
                    (System.nanoTime() - t0) / 1e9, target, human(Files.size(target))));
            return target;
        } catch (IOException e) {
            throw new ForgeException("forging " + m.name() + " " + type + " into " + dir + " failed: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(lockFile);
            } catch (IOException ignored) {
                // another process may hold it now; harmless
            } finally {
                inProcess.unlock();
            }
        }
    }

    private static boolean isComplete(Path target) {
        if (!Files.isRegularFile(target)) {
            return false;
        }
        try {
            GgufFile.read(target);
            return true;
        } catch (IOException | GgufFormatException e) {
            return false;
        }
    }

    /** Writes the laid-out model {@code w} (float, or the F16 base of a quantized type) and quantizes it. */
    private void forgeLocked(Catalog.ModelSpec m, LlamaFileType type, List<Catalog.PlannedTensor> plan, GgufWriter w, Path target)
            throws IOException {
        long baseBytes = w.fileBytes();
        long finalEstimate = type.isFloat() ? baseBytes : estimateBytes(plan, type);
        long need = type.isFloat() ? baseBytes : baseBytes + finalEstimate;
        // what killed forges of any model left counts as free space once removed
        removeStale(target);
        try {
            Cleanup c = ForgeLeftovers.clean(cacheDir, IN_PROCESS, target);
            if (!c.removed().isEmpty()) {
                progress.accept("forge: removed " + c.removed().size() + " leftover files of interrupted forges ("
                        + human(c.removedBytes()) + ")");
            }
        } catch (IOException e) {
            progress.accept("forge: could not look for leftovers of interrupted forges in " + cacheDir + ": " + e.getMessage());
        }
        long usable = freeSpace.usableBytes(target.getParent());
        if (usable < need + MARGIN_BYTES) {
            throw new ForgeException(String.format(Locale.ROOT,
                    "not enough disk space in %s to forge %s %s: need about %s (%s) plus a margin of %s, %s free. Free space"
                            + " or set EDGEBENCH_MODELS to a larger disk.", target.getParent(), m.name(), type, human(need),
                    type.isFloat() ? "the model" : "an F16 intermediate plus the result", human(MARGIN_BYTES), human(usable)));
        }
        if (type.isFloat()) {
            progress.accept("forge: writing " + m.name() + " " + type + " (" + human(baseBytes) + ")");
            write(w, target, m, type);
            return;
        }
        Path base = target.resolveSibling(target.getFileName() + ".f16-base");
        Path quantized = target.resolveSibling(target.getFileName() + ".quantized.partial");
        try {
            progress.accept("forge: writing the F16 base of " + m.name() + " (" + human(baseBytes) + ")");
            write(w, base, m, type);
            if (quantizer == null) {
                throw new ForgeException("forging " + type + " needs the engine's quantizer, which is not available");
            }
            progress.accept("forge: quantizing " + m.name() + " to " + type + " with llama.cpp's quantizer");
            try {
                quantizer.quantize(base, quantized, type, Math.max(1, Runtime.getRuntime().availableProcessors()));
                GgufFile.read(quantized);
            } catch (RuntimeException e) {
                // llama.cpp reports a full disk as "basic_ios::clear: iostream error": ask the disk
                ForgeException full = diskFull(target.getParent(), "quantizing " + m.name() + " to " + type, e);
                // the engine's own exception types are not known here; the message carries its reason
                throw full != null ? full
                        : new ForgeException("the engine's quantizer could not make " + m.name() + " " + type + ": " + e.getMessage(), e);
            }
            try {
                Files.move(quantized, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(quantized, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(base);
            Files.deleteIfExists(base.resolveSibling(base.getFileName() + ".partial"));
            Files.deleteIfExists(quantized);
        }
    }

    private void write(GgufWriter w, Path file, Catalog.ModelSpec m, LlamaFileType type) throws IOException {
        try {
            w.write(file);
        } catch (IOException e) {
            ForgeException full = diskFull(file.getParent(), "writing " + file.getFileName(), e);
            if (full != null) {
                throw full;
            }
            throw e;
        }
    }

    /**
     * @return an error saying the disk is full when, after {@code cause}, less than the margin is
     *         free in {@code dir}; null when there is room (the failure had another reason)
     */
    private ForgeException diskFull(Path dir, String doing, Exception cause) {
        long free;
        try {
            free = freeSpace.usableBytes(dir);
        } catch (IOException e) {
            return null;
        }
        if (free >= MARGIN_BYTES) {
            return null;
        }
        String reason = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        return new ForgeException(String.format(Locale.ROOT, "the disk holding %s is full (%s free) while %s (%s). Free space"
                + " or set EDGEBENCH_MODELS to a larger disk.", dir, human(free), doing, reason), cause);
    }

    /**
     * Removes what interrupted forges left in the cache (partial files and their locks), for every
     * model whose forge is no longer running; files of a forge running now, in this process or
     * another, are left alone and listed as in use. Complete models are never touched. Forging
     * does this by itself; this is for {@code forge --clean}.
     *
     * @return what was removed and what was in use
     * @throws IOException when the cache cannot be listed or a leftover cannot be deleted
     */
    public Cleanup cleanLeftovers() throws IOException {
        return ForgeLeftovers.clean(cacheDir, IN_PROCESS, null);
    }

    /**
     * What {@link #cleanLeftovers()} did.
     *
     * @param removed      files deleted
     * @param removedBytes their bytes
     * @param inUse        leftovers kept because a forge running now owns them
     */
    public record Cleanup(List<Path> removed, long removedBytes, List<Path> inUse) {
    }

    /** Lays out metadata and tensors; no data is generated until the file is written. */
    GgufWriter layout(Catalog.ModelSpec m, List<Catalog.PlannedTensor> plan, VocabSource vocab, GgmlType baseType,
                      LlamaFileType fileType, long seed) {
        GgufWriter w = new GgufWriter();
        String arch = m.arch();
        w.put(GgufKv.ofString("general.architecture", arch));
        w.put(GgufKv.ofString("general.type", "model"));
        w.put(GgufKv.ofString("general.name", m.name() + " (edgebench synthetic, seed " + seed + ")"));
        w.put(GgufKv.ofU32("general.file_type", fileType.id()));
        w.put(GgufKv.ofBool("edgebench.synthetic", true));
        w.put(GgufKv.ofString("edgebench.catalog_name", m.name()));
        w.put(new GgufKv("edgebench.seed", GgufValueType.UINT64, null, seed));
        w.put(GgufKv.ofU32("edgebench.forge_version", FORGE_VERSION));
        w.put(GgufKv.ofString("edgebench.vocab", vocab.description()));
        w.put(GgufKv.ofString("edgebench.config_source", m.config()));
        for (Catalog.MetaRecipe r : catalog.architecture(arch).metadata()) {
            if (!Catalog.holds(r.condition(), m)) {
                continue;
            }
            String key = r.key().replace("{arch}", arch);
            double v = Expr.eval(r.value(), m.hparams());
            w.put(switch (r.type()) {
                case "u32" -> GgufKv.ofU32(key, (long) v);
                case "f32" -> GgufKv.ofF32(key, v);
                case "bool" -> GgufKv.ofBool(key, v != 0);
                default -> throw new IllegalStateException("catalog: unknown metadata type " + r.type() + " for " + key);
            });
        }
        w.put(GgufKv.ofU32(arch + ".vocab_size", m.hparam("n_vocab")));
        vocab.metadata().forEach(w::put);
        for (Catalog.PlannedTensor t : plan) {
            GgmlType tt = t.ne().length == 1 ? GgmlType.F32 : baseType;
            String init = t.init();
            w.addTensor(t.name(), t.ne(), tt, (info, out) -> {
                if (init.equals("llama3_rope_freqs")) {
                    WeightGenerator.writeFloats(WeightGenerator.llama3RopeFreqs((int) m.hparam("head_dim"),
                            m.hparam("rope_theta"), ((Number) m.hparams().get("rope_scaling_factor")).doubleValue(),
                            ((Number) m.hparams().getOrDefault("rope_low_freq_factor", 1.0)).doubleValue(),
                            ((Number) m.hparams().getOrDefault("rope_high_freq_factor", 4.0)).doubleValue(),
                            ((Number) m.hparams().getOrDefault("rope_orig_ctx", 8192.0)).doubleValue()), out);
                } else {
                    WeightGenerator.write(seed, info, init, out);
                }
            });
        }
        return w;
    }

    /** Rough size of a quantized file: matrices at the type's nominal bits per weight. */
    static long estimateBytes(List<Catalog.PlannedTensor> plan, LlamaFileType type) {
        double bpw = switch (type) {
            case Q8_0 -> 8.5;
            case Q6_K -> 6.6;
            case Q5_0, Q5_1, Q5_K_S, Q5_K_M -> 5.7;
            case Q4_0, Q4_1, Q4_K_S, Q4_K_M, IQ4_NL, IQ4_XS, MXFP4_MOE, NVFP4 -> 4.9;
            default -> 4.0;
        };
        long n = plan.stream().mapToLong(Catalog.PlannedTensor::nElements).sum();
        return (long) (n * bpw / 8) + (16L << 20);
    }

    private void ensureWritable(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ForgeException("cannot create the model cache folder " + dir + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "). Set EDGEBENCH_MODELS to a writable folder.", e);
        }
        if (!Files.isWritable(dir)) {
            throw new ForgeException("the model cache folder " + dir + " is not writable. Set EDGEBENCH_MODELS to a writable folder.");
        }
    }

    /** Deletes leftovers of an interrupted forge of this target. */
    private static void removeStale(Path target) throws IOException {
        String prefix = target.getFileName().toString();
        try (var s = Files.list(target.getParent())) {
            for (Path p : s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(prefix) && !n.equals(prefix);
            }).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /** Forging failed for a reason the user can act on; nothing was left behind. */
    public static final class ForgeException extends RuntimeException {
        public ForgeException(String message) {
            super(message);
        }

        public ForgeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
