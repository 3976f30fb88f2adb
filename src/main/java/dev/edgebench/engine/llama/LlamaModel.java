package dev.edgebench.engine.llama;

import dev.edgebench.bindings.llama.Llama;
import dev.edgebench.bindings.llama.llama_model_params;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.ModelFiles;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loaded llama.cpp model ({@code struct llama_model}). Owns its native handle and every
 * {@link LlamaContext} created from it: {@link #close()} closes those first, then frees the
 * model. A closed model refuses every call with {@link IllegalStateException}.
 *
 * <p>Not thread-safe; confine a model and its contexts to one thread at a time.
 */
public final class LlamaModel implements AutoCloseable {
    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private final MemorySegment vocab;
    private final Path path;
    private final Params params;
    private final Deque<LlamaContext> children = new ArrayDeque<>();
    private boolean closed;

    /**
     * How to load a model.
     *
     * @param nGpuLayers layers to offload to the GPU; -1 = all, 0 = none (llama.cpp {@code n_gpu_layers})
     * @param mainGpu    the GPU that holds the whole model ({@code main_gpu})
     * @param useMmap    map the file rather than read it
     * @param vocabOnly  load only the vocabulary
     */
    public record Params(int nGpuLayers, int mainGpu, boolean useMmap, boolean vocabOnly) {
        /** CPU only, memory-mapped. */
        public static Params cpu() {
            return new Params(0, 0, true, false);
        }

        /** Everything on the GPU when the build has one, otherwise CPU. */
        public static Params allLayers() {
            return new Params(-1, 0, true, false);
        }

        @Override
        public String toString() {
            return "nGpuLayers=" + nGpuLayers + ", mainGpu=" + mainGpu + ", mmap=" + useMmap + (vocabOnly ? ", vocabOnly" : "");
        }
    }

    private LlamaModel(MemorySegment handle, Path path, Params params) {
        // adopted: closing the arena frees the model, and a freed handle can no longer be passed down
        this.handle = handle.reinterpret(arena, Llama::llama_model_free);
        this.path = path;
        this.params = params;
        this.vocab = Llama.llama_model_get_vocab(handle);
    }

    /**
     * Loads a GGUF model.
     *
     * @param path   the .gguf file
     * @param params how to load it
     * @return the model; close it when done
     * @throws IllegalArgumentException when the file is missing, a directory, empty, unreadable or not GGUF
     * @throws LlamaException           when llama.cpp cannot load it (the message quotes llama.cpp's reason)
     */
    public static LlamaModel load(Path path, Params params) {
        checkModelFile(path);
        LlamaRuntime.get();
        NativeLog.clear();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment p = Llama.llama_model_default_params(tmp);
            llama_model_params.n_gpu_layers(p, params.nGpuLayers());
            llama_model_params.main_gpu(p, params.mainGpu());
            llama_model_params.load_mode(p, params.useMmap() ? Llama.LLAMA_LOAD_MODE_MMAP() : Llama.LLAMA_LOAD_MODE_NONE());
            llama_model_params.vocab_only(p, params.vocabOnly());
            MemorySegment h = Llama.llama_model_load_from_file(tmp.allocateFrom(path.toString()), p);
            LlamaException.checkHandle(h, "llama_model_load_from_file", "model " + path + ", " + params);
            return new LlamaModel(h, path, params);
        }
    }

    /**
     * Checks, before any native call, that {@code path} can be a GGUF model.
     *
     * @throws IllegalArgumentException naming the path and what is wrong with it
     *                                  ({@link ModelFiles.PermissionDeniedException} when it may not be read)
     */
    public static void checkModelFile(Path path) {
        if (path == null) {
            throw new IllegalArgumentException("model path is null");
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("model file not found: " + path.toAbsolutePath());
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException("model path is a directory, not a GGUF file: " + path.toAbsolutePath());
        }
        try {
            long size = Files.size(path);
            if (size == 0) {
                throw new IllegalArgumentException("model file is empty (0 bytes): " + path.toAbsolutePath());
            }
            byte[] head = new byte[4];
            int n;
            try (InputStream in = ModelFiles.open(path.toAbsolutePath())) {
                n = in.readNBytes(head, 0, 4);
            }
            if (n < 4 || !java.util.Arrays.equals(head, GGUF_MAGIC)) {
                throw new IllegalArgumentException("not a GGUF file (magic " + describeMagic(head, n) + ", expected \"GGUF\"): "
                        + path.toAbsolutePath());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read model file " + path.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private static String describeMagic(byte[] head, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", head[i] & 0xff));
        }
        return n == 0 ? "<none>" : sb.toString();
    }

    /**
     * Creates a context (KV cache, compute buffers) for this model.
     *
     * @throws IllegalArgumentException for sizes that are zero, negative or inconsistent, and for a
     *                                  context whose KV cache exceeds the memory of every device together
     * @throws LlamaException           when llama.cpp cannot create it (the message quotes llama.cpp's reason)
     */
    public LlamaContext newContext(LlamaContextParams params) {
        checkOpen();
        LlamaContext ctx = LlamaContext.create(this, params);
        children.push(ctx);
        return ctx;
    }

    void forget(LlamaContext ctx) {
        children.remove(ctx);
    }

    MemorySegment handle() {
        checkOpen();
        return handle;
    }

    MemorySegment vocab() {
        checkOpen();
        return vocab;
    }

    /** @return the file this model was loaded from */
    public Path path() {
        return path;
    }

    /** @return how it was loaded */
    public Params params() {
        return params;
    }

    /** @return number of parameters */
    public long nParams() {
        return Llama.llama_model_n_params(handle());
    }

    /** @return total bytes of all tensors */
    public long sizeBytes() {
        return Llama.llama_model_size(handle());
    }

    /** @return the vocabulary size */
    public int nVocab() {
        return Llama.llama_vocab_n_tokens(vocab());
    }

    /** @return the context length the model was trained with */
    public int nCtxTrain() {
        return Llama.llama_model_n_ctx_train(handle());
    }

    /** @return embedding size */
    public int nEmbd() {
        return Llama.llama_model_n_embd(handle());
    }

    /** @return number of layers */
    public int nLayer() {
        return Llama.llama_model_n_layer(handle());
    }

    /**
     * Bytes of K and V cache that one token of context takes in every layer: what a context of
     * {@code n} tokens allocates at least, {@code n} times over.
     *
     * @return the bytes, or 0 when the cache is not one plain K/V row per layer and token (sliding-window,
     *         recurrent or shared-KV layers, compressed MLA latents) and so cannot be told here
     */
    public long kvBytesPerToken(GgmlType typeK, GgmlType typeV) {
        String arch = metaValue("general.architecture");
        if (arch == null) {
            return 0;
        }
        for (String smaller : new String[] {".attention.sliding_window", ".ssm.state_size", ".attention.kv_lora_rank",
                ".attention.shared_kv_layers"}) {
            if (metaValue(arch + smaller) != null) {
                return 0;
            }
        }
        try {
            long nLayer = nLayer();
            // llama.h gives layer 0's counts; for the rare models whose counts differ per layer this is an estimate
            long nHead = Llama.llama_model_n_head(handle());
            long nHeadKv = Llama.llama_model_n_head_kv(handle());
            String k = metaValue(arch + ".attention.key_length");
            String v = metaValue(arch + ".attention.value_length");
            long headK = k == null ? nEmbd() / nHead : Long.parseLong(k);
            long headV = v == null ? nEmbd() / nHead : Long.parseLong(v);
            return nLayer * (typeK.rowBytes(padTo(nHeadKv * headK, typeK)) + typeV.rowBytes(padTo(nHeadKv * headV, typeV)));
        } catch (NumberFormatException | ArithmeticException e) {
            return 0; // no heads, or a head size that is not one number
        }
    }

    private static long padTo(long n, GgmlType t) {
        return (n + t.blockSize() - 1) / t.blockSize() * t.blockSize();
    }

    /** @return one metadata value rendered as a string, or null when the key is absent */
    String metaValue(String key) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment k = tmp.allocateFrom(key);
            return cString(tmp, (buf, cap) -> Llama.llama_model_meta_val_str(handle(), k, buf, cap));
        }
    }

    /** @return the beginning-of-sequence token, or -1 */
    public int bos() {
        return Llama.llama_vocab_bos(vocab());
    }

    /** @return whether the vocabulary wants a BOS token in front of a prompt */
    public boolean addBos() {
        return Llama.llama_vocab_get_add_bos(vocab());
    }

    /** @return whether {@code token} ends generation (EOS, EOT, ...) */
    public boolean isEndOfGeneration(int token) {
        return Llama.llama_vocab_is_eog(vocab(), token);
    }

    /** @return llama.cpp's one-line description, e.g. "llama 1B Q4_0" */
    public String description() {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment buf = tmp.allocate(256);
            int n = Llama.llama_model_desc(handle(), buf, 256);
            return n < 0 ? "" : buf.getString(0);
        }
    }

    /** @return every metadata key and its value rendered as a string */
    public Map<String, String> metadata() {
        Map<String, String> out = new LinkedHashMap<>();
        try (Arena tmp = Arena.ofConfined()) {
            int n = Llama.llama_model_meta_count(handle());
            for (int i = 0; i < n; i++) {
                int index = i;
                String k = cString(tmp, (buf, cap) -> Llama.llama_model_meta_key_by_index(handle, index, buf, cap));
                String v = cString(tmp, (buf, cap) -> Llama.llama_model_meta_val_str_by_index(handle, index, buf, cap));
                if (k != null && v != null) {
                    out.put(k, v);
                }
            }
        }
        return out;
    }

    /** A llama.h call that writes a string snprintf-style: returns its full length, or < 0 when there is none. */
    @FunctionalInterface
    private interface StringCall {
        int write(MemorySegment buf, long cap);
    }

    /** @return the whole string, however long (values such as chat templates exceed any fixed buffer), or null */
    private static String cString(Arena arena, StringCall call) {
        MemorySegment buf = arena.allocate(256);
        int n = call.write(buf, buf.byteSize());
        if (n < 0) {
            return null;
        }
        if (n >= buf.byteSize()) {
            buf = arena.allocate(n + 1L);
            call.write(buf, buf.byteSize());
        }
        return buf.getString(0);
    }

    /**
     * Tokenizes text with this model's vocabulary.
     *
     * @param text       the text
     * @param addSpecial add BOS/EOS as the vocabulary asks
     * @return the token ids
     */
    public int[] tokenize(String text, boolean addSpecial) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment s = tmp.allocateFrom(text);
            int len = (int) s.byteSize() - 1;
            int cap = len + 8;
            MemorySegment toks = tmp.allocate(4L * cap);
            int n = Llama.llama_tokenize(vocab(), s, len, toks, cap, addSpecial, true);
            if (n < 0) {
                cap = -n;
                toks = tmp.allocate(4L * cap);
                n = Llama.llama_tokenize(vocab, s, len, toks, cap, addSpecial, true);
            }
            if (n < 0) {
                throw LlamaException.failure("llama_tokenize", n, "failed", "text of " + len + " bytes");
            }
            return toks.asSlice(0, 4L * n).toArray(java.lang.foreign.ValueLayout.JAVA_INT);
        }
    }

    /**
     * @return the text of one token (special tokens rendered); a token that holds part of a
     * multi-byte character decodes to U+FFFD here, so join {@link #tokenBytes} to render text
     */
    public String tokenToPiece(int token) {
        return new String(tokenBytes(token), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** @return the bytes of one token's text (special tokens rendered), as {@code llama_token_to_piece} writes them */
    public byte[] tokenBytes(int token) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment buf = tmp.allocate(256);
            int n = Llama.llama_token_to_piece(vocab(), token, buf, 256, 0, true);
            if (n < 0) {
                buf = tmp.allocate(-n);
                n = Llama.llama_token_to_piece(vocab, token, buf, -n, 0, true);
            }
            if (n < 0) {
                throw LlamaException.failure("llama_token_to_piece", n, "failed", "token " + token);
            }
            return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("LlamaModel is closed: " + path);
        }
    }

    /** Closes every context of this model (newest first), then frees the model. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        while (!children.isEmpty()) {
            children.peek().close();
        }
        closed = true;
        arena.close();
    }
}
