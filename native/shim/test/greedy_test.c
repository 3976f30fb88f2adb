/* ebr_first_argmax against llama.cpp's own greedy sampler (run by native/shim/test.sh):
 *   1. the same token on 200,000 drawn logit vectors of 1..300 entries and on vectors of 128,256
 *      (ties, NaN, infinities, signed zeros), the reference being llama_sampler_init_greedy
 *      applied to the vector's candidate array;
 *   2. with a model: the same token on its real logits (8 rows), and the cost per token of
 *      each, interleaved (llama_sampler_sample through a greedy chain per sequence, as the
 *      request engine chose greedy tokens before, against ebr_first_argmax on
 *      llama_get_logits_ith), for 1 sequence and for 8 taking turns; medians of 201 rounds of 24
 *      calls. Prints per case: "greedy: vocabulary N, S sequences: llama_sampler_sample X us,
 *      first argmax Y us per token: Z times faster". */
#define _POSIX_C_SOURCE 200809L
#include "../ebr_argmax.h"
#include "llama.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static uint64_t rng = 88172645463325252ull;
static uint32_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t) (rng >> 11); }

static float draw(int mode) {
    uint32_t r = next() % 200;
    if (r == 0) return NAN;
    if (r == 1) return INFINITY;
    if (r == 2) return -INFINITY;
    if (r == 3) return -0.0f;
    if (r == 4) return 0.0f;
    if (mode == 0) return (float) (next() % 5);                       /* many ties */
    return ldexpf((float) ((int) (next() % 2001) - 1000), -(int) (next() % 6));
}

static int32_t reference(struct llama_sampler *greedy, llama_token_data *cand, const float *x, int32_t n) {
    llama_token_data_array a;
    int32_t i;
    for (i = 0; i < n; i++) { cand[i].id = i; cand[i].logit = x[i]; cand[i].p = 0.0f; }
    a.data = cand;
    a.size = (size_t) n;
    a.selected = -1;
    a.sorted = false;
    llama_sampler_apply(greedy, &a);
    return (int32_t) a.selected;
}

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec * 1e6 + (double) t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

enum { BIG = 128256, ROUNDS = 201, CALLS = 24, SEQS = 8 };

/* One cost comparison: CALLS calls per round, call k on logit row k % rows with chain k % rows
 * (each sequence of the request engine has its own chain, and each chain its own candidate
 * array: with 8 sequences, 8 arrays of 1.5 MB take turns in the caches). */
static void compare(struct llama_context *ctx, struct llama_sampler **chains, int32_t rows, int32_t n_vocab) {
    static double t_sampler[ROUNDS], t_argmax[ROUNDS];
    volatile int32_t sink = 0;      /* keeps the compiler from dropping a call whose token is unused */
    int32_t r, c, i, tok_s, tok_a;
    for (r = 0; r < ROUNDS; r++) {      /* interleaved, the order alternating */
        for (c = 0; c < 2; c++) {
            int sampler = (r + c) % 2;
            double t0 = now_us(), t1;
            for (i = 0; i < CALLS; i++) {
                int32_t row = i % rows;
                if (sampler) {
                    sink += llama_sampler_sample(chains[row], ctx, row);
                } else {
                    sink += ebr_first_argmax(llama_get_logits_ith(ctx, row), n_vocab);
                }
            }
            t1 = now_us();
            if (sampler) t_sampler[r] = (t1 - t0) / CALLS; else t_argmax[r] = (t1 - t0) / CALLS;
        }
    }
    for (i = 0; i < rows; i++) {
        tok_s = llama_sampler_sample(chains[i], ctx, i);
        tok_a = ebr_first_argmax(llama_get_logits_ith(ctx, i), n_vocab);
        CHECK(tok_s == tok_a, "real logits, row %d: llama_sampler_sample %d, ebr_first_argmax %d", i, tok_s, tok_a);
    }
    qsort(t_sampler, ROUNDS, sizeof t_sampler[0], cmp);
    qsort(t_argmax, ROUNDS, sizeof t_argmax[0], cmp);
    printf("greedy: vocabulary %d, %d sequence%s: llama_sampler_sample %.1f us, first argmax %.1f us per token: %.1f times faster\n",
           n_vocab, rows, rows == 1 ? "" : "s", t_sampler[ROUNDS / 2], t_argmax[ROUNDS / 2], t_sampler[ROUNDS / 2] / t_argmax[ROUNDS / 2]);
}

static void on_model(const char *path) {
    struct llama_model_params mp = llama_model_default_params();
    struct llama_context_params cp = llama_context_default_params();
    struct llama_model *model;
    struct llama_context *ctx;
    struct llama_sampler *chains[SEQS];
    struct llama_batch b;
    int32_t n_vocab, i;
    mp.n_gpu_layers = 0;
    model = llama_model_load_from_file(path, mp);
    CHECK(model != NULL, "load %s", path);
    if (model == NULL) return;
    cp.n_ctx = 64;
    cp.n_batch = 64;
    cp.n_threads = 2;
    cp.n_threads_batch = 2;
    cp.no_perf = true;
    ctx = llama_init_from_model(model, cp);
    CHECK(ctx != NULL, "context");
    if (ctx == NULL) { llama_model_free(model); return; }
    n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    /* SEQS rows of logits: one prompt of SEQS tokens, every one with logits */
    b = llama_batch_init(SEQS, 0, 1);
    for (i = 0; i < SEQS; i++) {
        b.token[i] = (llama_token) (1 + (next() % (uint32_t) (n_vocab - 1)));
        b.pos[i] = i;
        b.n_seq_id[i] = 1;
        b.seq_id[i][0] = 0;
        b.logits[i] = 1;
    }
    b.n_tokens = SEQS;
    CHECK(llama_decode(ctx, b) == 0, "decode");
    llama_batch_free(b);
    for (i = 0; i < SEQS; i++) {
        struct llama_sampler_chain_params sp = llama_sampler_chain_default_params();
        sp.no_perf = true;
        chains[i] = llama_sampler_chain_init(sp);
        llama_sampler_chain_add(chains[i], llama_sampler_init_greedy());
    }
    compare(ctx, chains, 1, n_vocab);
    compare(ctx, chains, SEQS, n_vocab);
    for (i = 0; i < SEQS; i++) llama_sampler_free(chains[i]);
    llama_free(ctx);
    llama_model_free(model);
}

int main(int argc, char **argv) {
    static float x[BIG];
    static llama_token_data cand[BIG];
    struct llama_sampler *greedy;
    int32_t t, i, n, want, got;
    llama_backend_init();
    greedy = llama_sampler_init_greedy();
    for (t = 0; t < 200000; t++) {
        int mode = (int) (next() % 2);
        n = 1 + (int32_t) (next() % 300);
        for (i = 0; i < n; i++) x[i] = draw(mode);
        want = reference(greedy, cand, x, n);
        got = ebr_first_argmax(x, n);
        if (want != got) { CHECK(0, "vector %d of %d: greedy sampler %d, ebr_first_argmax %d", t, n, want, got); break; }
    }
    for (t = 0; t < 40; t++) {
        int mode = t % 2;
        for (i = 0; i < BIG; i++) x[i] = draw(mode);
        if (t % 4 == 3) x[0] = NAN;
        want = reference(greedy, cand, x, BIG);
        got = ebr_first_argmax(x, BIG);
        CHECK(want == got, "vocabulary-sized vector %d: greedy sampler %d, ebr_first_argmax %d", t, want, got);
    }
    llama_sampler_free(greedy);
    if (argc > 1) on_model(argv[1]);
    llama_backend_free();
    if (failures) { fprintf(stderr, "greedy_test: %d failures\n", failures); return 1; }
    printf("greedy_test: ok\n");
    return 0;
}
