/* What the C probes beside llama-bench share: a monotonic clock, a double comparator, a silent
 * log, and a model and context opened as llama-bench opens them (batch 2048, micro-batch 512, one
 * sequence, THREADS for prompt and generation, a persistent threadpool attached as llama-bench
 * attaches it). Header-only: each probe is one source file that the GPU session compiles with cc. */
#ifndef EDGEBENCH_LLAMA_BENCH_LIKE_H
#define EDGEBENCH_LLAMA_BENCH_LIKE_H

#define _POSIX_C_SOURCE 200809L
#include "ggml-cpu.h"
#include "llama.h"

#include <stdio.h>
#include <time.h>

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static void quiet(enum ggml_log_level level, const char *text, void *user) {
    (void) level;
    (void) text;
    (void) user;
}

/* A model, its context of n_ctx tokens and the attached threadpool; ctx is NULL when either failed
 * (the reason printed, prefixed with who). */
struct bench_like {
    struct llama_model *model;
    struct llama_context *ctx;
    struct ggml_threadpool *tp;
    int n_vocab;
};

static struct bench_like bench_like_open(const char *who, const char *path, int ngl, int n_ctx, int threads) {
    struct bench_like b = {NULL, NULL, NULL, 0};
    struct llama_model_params mp;
    struct llama_context_params cp;
    struct ggml_threadpool_params tpp;
    llama_log_set(quiet, NULL);
    llama_backend_init();
    mp = llama_model_default_params();
    mp.n_gpu_layers = ngl;
    b.model = llama_model_load_from_file(path, mp);
    if (b.model == NULL) {
        fprintf(stderr, "%s: cannot load %s\n", who, path);
        return b;
    }
    cp = llama_context_default_params();
    cp.n_ctx = (uint32_t) n_ctx;
    cp.n_batch = 2048;
    cp.n_ubatch = 512;
    cp.n_seq_max = 1;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    b.ctx = llama_init_from_model(b.model, cp);
    if (b.ctx == NULL) {
        fprintf(stderr, "%s: no context\n", who);
        return b;
    }
    tpp = ggml_threadpool_params_default(threads);
    b.tp = ggml_threadpool_new(&tpp);
    llama_attach_threadpool(b.ctx, b.tp, NULL);
    b.n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(b.model));
    return b;
}

static void bench_like_close(struct bench_like *b) {
    if (b->ctx != NULL) llama_free(b->ctx);
    if (b->tp != NULL) ggml_threadpool_free(b->tp);
    if (b->model != NULL) llama_model_free(b->model);
}

#endif
