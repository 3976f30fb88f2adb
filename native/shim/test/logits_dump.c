/* The logits llama.cpp computes for a seeded token sequence, every position, written for a
 * comparison with another implementation of the same model (scripts/check-hf-transformers.py:
 * the forge's Hugging-Face checkpoint of the same GGUF under transformers).
 *
 *   logits_dump MODEL.gguf OUT.bin [N_TOKENS=64] [SEED=2026] [NGL=99]
 *
 * OUT.bin: int32 n_tokens, int32 n_vocab, n_tokens int32 token ids (BOS first where the vocabulary
 * adds one, then ids drawn from [0, n_vocab)), then n_tokens x n_vocab float32 logits, row by row. */
#define _POSIX_C_SOURCE 200809L
#include "llama.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void quiet(enum ggml_log_level level, const char *text, void *user) {
    (void) user;
    if (level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: logits_dump MODEL.gguf OUT.bin [N_TOKENS>=1] [SEED] [NGL]\n");
        return 2;
    }
    int n = argc > 3 ? atoi(argv[3]) : 64;
    unsigned seed = argc > 4 ? (unsigned) strtoul(argv[4], NULL, 10) : 2026u;
    int ngl = argc > 5 ? atoi(argv[5]) : 99;
    if (n < 1 || n > 4096) {
        fprintf(stderr, "logits_dump: N_TOKENS must be 1..4096, was %d\n", n);
        return 2;
    }
    llama_log_set(quiet, NULL);
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = ngl;
    struct llama_model *model = llama_model_load_from_file(argv[1], mp);
    if (model == NULL) {
        fprintf(stderr, "logits_dump: cannot load %s\n", argv[1]);
        return 1;
    }
    const struct llama_vocab *vocab = llama_model_get_vocab(model);
    int32_t n_vocab = llama_vocab_n_tokens(vocab);
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = (uint32_t) (n < 256 ? 256 : n);
    cp.n_batch = (uint32_t) n;
    cp.n_ubatch = (uint32_t) n;
    cp.n_seq_max = 1;
    struct llama_context *ctx = llama_init_from_model(model, cp);
    if (ctx == NULL) {
        fprintf(stderr, "logits_dump: no context\n");
        return 1;
    }
    struct llama_batch b = llama_batch_init(n, 0, 1);
    srand(seed);
    for (int i = 0; i < n; i++) {
        b.token[i] = i == 0 && llama_vocab_get_add_bos(vocab) ? llama_vocab_bos(vocab) : rand() % n_vocab;
        b.pos[i] = i;
        b.n_seq_id[i] = 1;
        b.seq_id[i][0] = 0;
        b.logits[i] = 1;
    }
    b.n_tokens = n;
    if (llama_decode(ctx, b) != 0) {
        fprintf(stderr, "logits_dump: llama_decode failed\n");
        return 1;
    }
    FILE *f = fopen(argv[2], "wb");
    if (f == NULL) {
        fprintf(stderr, "logits_dump: cannot write %s\n", argv[2]);
        return 1;
    }
    int32_t head[2] = {n, n_vocab};
    int ok = fwrite(head, sizeof head, 1, f) == 1 && fwrite(b.token, sizeof(int32_t), (size_t) n, f) == (size_t) n;
    for (int i = 0; ok && i < n; i++) {
        const float *row = llama_get_logits_ith(ctx, i);
        ok = row != NULL && fwrite(row, sizeof(float), (size_t) n_vocab, f) == (size_t) n_vocab;
    }
    if (fclose(f) != 0 || !ok) {
        fprintf(stderr, "logits_dump: writing %s failed\n", argv[2]);
        return 1;
    }
    printf("logits_dump: %s: %d tokens x %d logits -> %s\n", argv[1], n, n_vocab, argv[2]);
    llama_batch_free(b);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
