package dev.edgebench.engine.llama;

import dev.edgebench.bindings.llama.Llama;
import dev.edgebench.bindings.llama.llama_batch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A reusable token batch ({@code struct llama_batch} from {@code llama_batch_init}). Filled with
 * {@link #clear()} and {@link #add}, then handed to {@link LlamaContext#decode}. Its arrays are
 * allocated once, at construction; filling allocates nothing.
 *
 * <p>Not thread-safe. A closed batch refuses every call.
 */
public final class LlamaBatch implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment struct;
    private final MemorySegment token;
    private final MemorySegment pos;
    private final MemorySegment nSeqId;
    private final MemorySegment[] seqId;
    private final MemorySegment logits;
    private final int capacity;
    private final int nSeqMax;
    private int n;
    private boolean closed;

    /**
     * @param capacity most tokens the batch holds, > 0
     * @param nSeqMax  most sequences one token may belong to, > 0
     * @throws IllegalArgumentException for sizes that are not positive
     */
    public LlamaBatch(int capacity, int nSeqMax) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("batch capacity must be positive, was " + capacity);
        }
        if (nSeqMax <= 0) {
            throw new IllegalArgumentException("batch nSeqMax must be positive, was " + nSeqMax);
        }
        LlamaRuntime.get();
        this.capacity = capacity;
        this.nSeqMax = nSeqMax;
        this.struct = Llama.llama_batch_init(arena, capacity, 0, nSeqMax);
        MemorySegment tok = llama_batch.token(struct);
        LlamaException.checkHandle(tok, "llama_batch_init", "capacity " + capacity + ", nSeqMax " + nSeqMax);
        this.token = tok.reinterpret(4L * capacity);
        this.pos = llama_batch.pos(struct).reinterpret(4L * capacity);
        this.nSeqId = llama_batch.n_seq_id(struct).reinterpret(4L * capacity);
        this.logits = llama_batch.logits(struct).reinterpret(capacity);
        MemorySegment seqIdPtrs = llama_batch.seq_id(struct).reinterpret(8L * capacity);
        this.seqId = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            seqId[i] = seqIdPtrs.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(4L * nSeqMax);
        }
    }

    /** Empties the batch. */
    public void clear() {
        checkOpen();
        n = 0;
    }

    /**
     * Appends one token.
     *
     * @param tokenId    the token id
     * @param position   its position in the sequence (0-based)
     * @param seq        the sequence it belongs to
     * @param wantLogits whether llama.cpp should compute logits for it
     * @throws IllegalStateException when the batch is full or closed
     */
    public void add(int tokenId, int position, int seq, boolean wantLogits) {
        checkOpen();
        if (n == capacity) {
            throw new IllegalStateException("LlamaBatch is full (" + capacity + " tokens)");
        }
        token.setAtIndex(ValueLayout.JAVA_INT, n, tokenId);
        pos.setAtIndex(ValueLayout.JAVA_INT, n, position);
        nSeqId.setAtIndex(ValueLayout.JAVA_INT, n, 1);
        seqId[n].set(ValueLayout.JAVA_INT, 0, seq);
        logits.set(ValueLayout.JAVA_BYTE, n, (byte) (wantLogits ? 1 : 0));
        n++;
    }

    /** Asks for (or stops asking for) logits of token {@code i} already in the batch. */
    public void setLogits(int i, boolean wantLogits) {
        checkOpen();
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("token " + i + " of a batch of " + n);
        }
        logits.set(ValueLayout.JAVA_BYTE, i, (byte) (wantLogits ? 1 : 0));
    }

    /** @return tokens in the batch */
    public int size() {
        return n;
    }

    /** @return most tokens it holds */
    public int capacity() {
        return capacity;
    }

    /** @return most sequences per token */
    public int nSeqMax() {
        return nSeqMax;
    }

    /** The struct, with n_tokens set, ready to pass by value. */
    MemorySegment prepared() {
        checkOpen();
        if (n == 0) {
            throw new IllegalStateException("LlamaBatch is empty: add tokens before decoding");
        }
        llama_batch.n_tokens(struct, n);
        return struct;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("LlamaBatch is closed");
        }
    }

    /** Frees the native arrays. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        llama_batch.n_tokens(struct, capacity);
        Llama.llama_batch_free(struct);
        arena.close();
    }
}
