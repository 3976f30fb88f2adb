/* One decode step two ways, in C, on the same context: llama-bench's (llama_batch_get_one: no
 * positions, sequence or output flags given) and edgebench's step engine's (a llama_batch with the
 * token's position, sequence 0 and its output flag set, as LlamaStepSession fills it). Both
 * llama_decode + llama_synchronize per token from an empty cache, REPS interleaved repetitions of
 * N_GEN tokens after one warm-up of each; a persistent threadpool of THREADS threads as llama-bench
 * attaches it. Tells whether a gap between edgebench's decode and llama-bench's lies in the batch
 * layout (these two differ) or in the process around the calls (they agree).
 *
 *   decode_loop MODEL.gguf [THREADS=4] [N_GEN=128] [REPS=10] [NGL=99]
 *
 * Prints per layout the median and min..max tok/s over the repetitions, and all tokens over all the time
 * (the mean rate, as edgebench's profile command reports it). */
#include "llama_bench_like.h"

#include <stdlib.h>

/* one repetition: n_gen tokens from an empty cache; tok/s, or -1 on a failed decode */
static double rep(struct llama_context *ctx, int explicit_batch, struct llama_batch *b, int n_gen, int n_vocab) {
    llama_token tok = rand() % n_vocab;
    double t0;
    int i;
    llama_memory_clear(llama_get_memory(ctx), 0);
    t0 = now_s();
    for (i = 0; i < n_gen; i++) {
        int rc;
        if (explicit_batch) {
            b->n_tokens = 1;
            b->token[0] = tok;
            b->pos[0] = i;
            b->n_seq_id[0] = 1;
            b->seq_id[0][0] = 0;
            b->logits[0] = 1;
            rc = llama_decode(ctx, *b);
        } else {
            rc = llama_decode(ctx, llama_batch_get_one(&tok, 1));
        }
        if (rc != 0) return -1;
        llama_synchronize(ctx);
        tok = rand() % n_vocab;
    }
    return n_gen / (now_s() - t0);
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : NULL;
    int threads = argc > 2 ? atoi(argv[2]) : 4, n_gen = argc > 3 ? atoi(argv[3]) : 128, reps = argc > 4 ? atoi(argv[4]) : 10;
    int ngl = argc > 5 ? atoi(argv[5]) : 99, r, m, n_vocab;
    const char *names[2] = {"llama_batch_get_one (llama-bench)", "explicit batch (edgebench)"};
    struct bench_like lb;
    struct llama_context *ctx;
    struct llama_batch b;
    double *ts[2];
    if (path == NULL || threads < 1 || n_gen < 1 || reps < 1) {
        fprintf(stderr, "usage: decode_loop MODEL.gguf [THREADS>=1] [N_GEN>=1] [REPS>=1] [NGL]\n");
        return 2;
    }
    lb = bench_like_open("decode_loop", path, ngl, n_gen, threads);
    if (lb.ctx == NULL) {
        return 1;
    }
    ctx = lb.ctx;
    n_vocab = lb.n_vocab;
    b = llama_batch_init(1, 0, 1);
    ts[0] = calloc((size_t) reps, sizeof(double));
    ts[1] = calloc((size_t) reps, sizeof(double));
    srand(1234);
    if (rep(ctx, 0, &b, n_gen, n_vocab) < 0 || rep(ctx, 1, &b, n_gen, n_vocab) < 0) {
        fprintf(stderr, "decode_loop: llama_decode failed\n");
        return 1;
    }
    for (r = 0; r < reps; r++) {
        for (m = 0; m < 2; m++) {
            int which = r % 2 == 0 ? m : 1 - m;
            ts[which][r] = rep(ctx, which, &b, n_gen, n_vocab);
        }
    }
    printf("decode_loop: %s, %d threads, ngl %d, tg%d, %d interleaved repetitions\n", path, threads, ngl, n_gen, reps);
    for (m = 0; m < 2; m++) {
        double secs = 0;
        for (r = 0; r < reps; r++) secs += n_gen / ts[m][r];
        qsort(ts[m], (size_t) reps, sizeof(double), cmp);
        printf("  %-36s median %9.2f tok/s  (%.2f .. %.2f), all tokens over all time %9.2f tok/s\n", names[m], ts[m][reps / 2],
               ts[m][0], ts[m][reps - 1], n_gen * reps / secs);
    }
    printf("  explicit / get_one: %.4f\n", ts[1][reps / 2] / ts[0][reps / 2]);
    llama_batch_free(b);
    bench_like_close(&lb);
    free(ts[0]);
    free(ts[1]);
    return 0;
}
