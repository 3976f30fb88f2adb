/* Does a prefill that follows an idle pause run slower than one that follows another prefill?
 * llama-bench times its prompt repetitions back to back; a JMH benchmark in SingleShotTime mode
 * with one prefill per sample (repeat=auto on a CPU, where one prefill outlasts the 100 ms target)
 * pauses between samples for JMH's own work. On the CPU every prefill is one parallel region over
 * all threads, so whatever the pause costs (threads that went to sleep, caches, the frequency of a
 * core that idled) is paid inside the timed call.
 *
 * Each repetition: sleep GAP ms (the first of a pair), prefill and time it; then prefill again at
 * once and time it (the second). The gaps cycle through the list given, so every gap sees the
 * machine's drift alike; a gap of 0 is the control (both prefills back to back). llama-bench's
 * context and threadpool (a persistent one, attached as llama-bench attaches it).
 *
 *   prefill_gap MODEL.gguf [THREADS=2] [N_PROMPT=128] [REPS=10] [NGL=0] [GAPS_MS=0,20,200]
 *
 * Prints per gap the median rate of the first and second prefill of the pairs and the median of
 * each pair's ratio first/second (1 where a pause costs nothing). */
#include "llama_bench_like.h"

#include <stdlib.h>
#include <string.h>

#define MAX_GAPS 8

static double median(double *v, int n) {
    qsort(v, (size_t) n, sizeof(double), cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* one prefill of n tokens from an empty cache, as llama-bench's test_prompt: tok/s, or -1 on failure */
static double prefill(struct llama_context *ctx, llama_token *toks, int n, int n_vocab) {
    double t0;
    int i;
    llama_memory_clear(llama_get_memory(ctx), 0);
    t0 = now_s();
    for (i = 0; i < n; i++) {
        toks[i] = rand() % n_vocab;
    }
    if (llama_decode(ctx, llama_batch_get_one(toks, n)) != 0) return -1;
    llama_synchronize(ctx);
    return n / (now_s() - t0);
}

static void sleep_ms(int ms) {
    struct timespec t = {ms / 1000, (long) (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : NULL;
    int threads = argc > 2 ? atoi(argv[2]) : 2, n_prompt = argc > 3 ? atoi(argv[3]) : 128, reps = argc > 4 ? atoi(argv[4]) : 10;
    int ngl = argc > 5 ? atoi(argv[5]) : 0, gaps[MAX_GAPS], n_gaps = 0, g, r, n_vocab;
    char list[256];
    double *first[MAX_GAPS], *second[MAX_GAPS], *ratio[MAX_GAPS];
    struct bench_like lb;
    struct llama_context *ctx;
    llama_token *toks;
    strncpy(list, argc > 6 ? argv[6] : "0,20,200", sizeof list - 1);
    list[sizeof list - 1] = 0;
    for (char *s = strtok(list, ","); s != NULL && n_gaps < MAX_GAPS; s = strtok(NULL, ",")) {
        gaps[n_gaps++] = atoi(s);
    }
    if (path == NULL || threads < 1 || n_prompt < 1 || reps < 1 || n_gaps == 0) {
        fprintf(stderr, "usage: prefill_gap MODEL.gguf [THREADS>=1] [N_PROMPT>=1] [REPS>=1] [NGL] [GAPS_MS=0,20,200]\n");
        return 2;
    }
    lb = bench_like_open("prefill_gap", path, ngl, n_prompt, threads);
    if (lb.ctx == NULL) {
        return 1;
    }
    ctx = lb.ctx;
    n_vocab = lb.n_vocab;
    toks = calloc((size_t) n_prompt, sizeof(llama_token));
    for (g = 0; g < n_gaps; g++) {
        first[g] = calloc((size_t) reps, sizeof(double));
        second[g] = calloc((size_t) reps, sizeof(double));
        ratio[g] = calloc((size_t) reps, sizeof(double));
    }
    srand(1234);
    if (prefill(ctx, toks, n_prompt, n_vocab) < 0) {
        fprintf(stderr, "prefill_gap: llama_decode failed\n");
        return 1;
    }
    for (r = 0; r < reps; r++) {
        for (g = 0; g < n_gaps; g++) {
            sleep_ms(gaps[g]);
            first[g][r] = prefill(ctx, toks, n_prompt, n_vocab);
            second[g][r] = prefill(ctx, toks, n_prompt, n_vocab);
            if (first[g][r] < 0 || second[g][r] < 0) {
                fprintf(stderr, "prefill_gap: llama_decode failed\n");
                return 1;
            }
            ratio[g][r] = first[g][r] / second[g][r];
        }
    }
    printf("prefill_gap: %d tokens, %d threads, ngl %d, %d pairs per gap\n", n_prompt, threads, ngl, reps);
    for (g = 0; g < n_gaps; g++) {
        int below = 0;
        for (r = 0; r < reps; r++) below += ratio[g][r] < 1;
        printf("gap %4d ms: after the pause %8.2f tok/s, back to back %8.2f tok/s, first/second median %.4f (%d of %d below 1)\n",
               gaps[g], median(first[g], reps), median(second[g], reps), median(ratio[g], reps), below, reps);
    }
    bench_like_close(&lb);
    free(toks);
    return 0;
}
