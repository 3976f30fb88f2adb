/*
 * Greedy decoding with llama-simple's settings, printing the token ids and writing every step's
 * last-position logits, so that two builds of the engine (x86-64 and aarch64, or two instruction-set
 * levels) can be compared number by number, not only by the text they print.
 *
 *   greedy-logits run  MODEL N_PREDICT LOGITS_OUT PROMPT   decode; token ids on stdout, logits to LOGITS_OUT
 *   greedy-logits diff A B                                 compare two LOGITS_OUT files
 *
 * run uses what examples/simple/simple.cpp uses: default model and context parameters (4 threads),
 * n_ctx = n_prompt + n_predict - 1, n_batch = n_prompt, the greedy sampler, the special-token
 * tokenization; layers stay on the CPU (n_gpu_layers 0), which is the build under test here.
 *
 * LOGITS_OUT: "edgebench-logits 1 <n_vocab> <steps>\n", then per step the n_vocab float32 logits that
 * the sampler saw, little-endian as the engine stored them (both targets are little-endian).
 *
 * diff prints per step the largest absolute difference, the largest difference relative to that
 * step's largest |logit| in A, the gap between A's best and second-best logit (a difference
 * below it cannot change the greedy token), and whether the argmax agrees; then over all steps:
 *   max_abs <x> max_rel <y> argmax_equal <0|1> min_top2_margin <m> steps <n> n_vocab <v>
 * Exit 0 when both files have the same shape, 1 when they differ in shape, 2 on bad input.
 */
#include "llama.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void) {
    fprintf(stderr, "usage: greedy-logits run MODEL N_PREDICT LOGITS_OUT PROMPT\n"
                    "       greedy-logits diff A B\n");
    return 2;
}

static void quiet_log(enum ggml_log_level level, const char * text, void * user) {
    (void) user;
    if (level >= GGML_LOG_LEVEL_WARN && level != GGML_LOG_LEVEL_CONT) {
        fputs(text, stderr);
    }
}

static int run(const char * model_path, int n_predict, const char * logits_path, const char * prompt) {
    llama_log_set(quiet_log, NULL);
    ggml_backend_load_all();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model * model = llama_model_load_from_file(model_path, mp);
    if (model == NULL) {
        fprintf(stderr, "greedy-logits: cannot load model '%s'\n", model_path);
        return 2;
    }
    const struct llama_vocab * vocab = llama_model_get_vocab(model);
    const int n_vocab = llama_vocab_n_tokens(vocab);
    const int n_prompt = -llama_tokenize(vocab, prompt, (int32_t) strlen(prompt), NULL, 0, true, true);
    llama_token * tokens = malloc(sizeof(llama_token) * (size_t) (n_prompt + n_predict));
    if (n_prompt <= 0 || tokens == NULL ||
        llama_tokenize(vocab, prompt, (int32_t) strlen(prompt), tokens, n_prompt, true, true) != n_prompt) {
        fprintf(stderr, "greedy-logits: cannot tokenize the prompt\n");
        return 1;
    }
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = (uint32_t) (n_prompt + n_predict - 1);
    cp.n_batch = (uint32_t) n_prompt;
    struct llama_context * ctx = llama_init_from_model(model, cp);
    struct llama_sampler * smpl = llama_sampler_chain_init(llama_sampler_chain_default_params());
    llama_sampler_chain_add(smpl, llama_sampler_init_greedy());
    FILE * out = fopen(logits_path, "wb");
    if (ctx == NULL || out == NULL) {
        fprintf(stderr, "greedy-logits: cannot create the context or open '%s'\n", logits_path);
        return 1;
    }
    /* the header's step count is rewritten at the end; fixed width so it can be */
    fprintf(out, "edgebench-logits 1 %10d %10d\n", n_vocab, 0);
    printf("prompt");
    for (int i = 0; i < n_prompt; i++) {
        printf(" %d", tokens[i]);
    }
    printf("\ngenerated");
    struct llama_batch batch = llama_batch_get_one(tokens, n_prompt);
    int steps = 0;
    for (int n_pos = 0; n_pos + batch.n_tokens < n_prompt + n_predict;) {
        if (llama_decode(ctx, batch) != 0) {
            fprintf(stderr, "greedy-logits: llama_decode failed at position %d\n", n_pos);
            return 1;
        }
        n_pos += batch.n_tokens;
        const float * logits = llama_get_logits_ith(ctx, -1);
        if (fwrite(logits, sizeof(float), (size_t) n_vocab, out) != (size_t) n_vocab) {
            fprintf(stderr, "greedy-logits: cannot write '%s'\n", logits_path);
            return 1;
        }
        steps++;
        llama_token id = llama_sampler_sample(smpl, ctx, -1);
        if (llama_vocab_is_eog(vocab, id)) {
            break;
        }
        printf(" %d", id);
        tokens[n_prompt + steps - 1] = id;
        batch = llama_batch_get_one(&tokens[n_prompt + steps - 1], 1);
    }
    printf("\n");
    fseek(out, 0, SEEK_SET);
    fprintf(out, "edgebench-logits 1 %10d %10d\n", n_vocab, steps);
    fclose(out);
    llama_sampler_free(smpl);
    llama_free(ctx);
    llama_model_free(model);
    free(tokens);
    return 0;
}

static float * load(const char * path, int * n_vocab, int * steps) {
    FILE * f = fopen(path, "rb");
    int version = 0;
    if (f == NULL || fscanf(f, "edgebench-logits %d %d %d", &version, n_vocab, steps) != 3 || fgetc(f) != '\n' ||
        version != 1 || *n_vocab <= 0 || *steps <= 0) {
        fprintf(stderr, "greedy-logits: '%s' is not a logits file written by 'greedy-logits run'\n", path);
        exit(2);
    }
    size_t n = (size_t) *n_vocab * (size_t) *steps;
    float * v = malloc(n * sizeof(float));
    if (v == NULL || fread(v, sizeof(float), n, f) != n) {
        fprintf(stderr, "greedy-logits: '%s' is shorter than its header says\n", path);
        exit(2);
    }
    fclose(f);
    return v;
}

static int diff(const char * path_a, const char * path_b) {
    int va, sa, vb, sb;
    float * a = load(path_a, &va, &sa);
    float * b = load(path_b, &vb, &sb);
    if (va != vb || sa != sb) {
        printf("shape differs: %s has %d steps x %d, %s has %d steps x %d\n", path_a, sa, va, path_b, sb, vb);
        return 1;
    }
    double max_abs = 0, max_rel = 0, min_margin = INFINITY;
    int argmax_equal = 1;
    for (int s = 0; s < sa; s++) {
        const float * x = a + (size_t) s * va;
        const float * y = b + (size_t) s * va;
        double step_abs = 0, scale = 0;
        int ax = 0, ay = 0, second = -1;
        for (int i = 0; i < va; i++) {
            double d = fabs((double) x[i] - (double) y[i]);
            if (d > step_abs || isnan(d)) {
                step_abs = isnan(d) ? INFINITY : d;
            }
            if (fabs(x[i]) > scale) {
                scale = fabs(x[i]);
            }
            if (x[i] > x[ax]) {
                ax = i;
            }
            if (y[i] > y[ay]) {
                ay = i;
            }
        }
        for (int i = 0; i < va; i++) {
            if (i != ax && (second < 0 || x[i] > x[second])) {
                second = i;
            }
        }
        /* how far the greedy choice was from the runner-up: a difference below it cannot change the token */
        double margin = second < 0 ? INFINITY : (double) x[ax] - (double) x[second];
        min_margin = margin < min_margin ? margin : min_margin;
        double step_rel = scale > 0 ? step_abs / scale : step_abs;
        printf("step %d max_abs %.3e max_rel %.3e max_logit %.4f top2_margin %.3e argmax %d %d\n", s, step_abs, step_rel, scale,
               margin, ax, ay);
        max_abs = step_abs > max_abs ? step_abs : max_abs;
        max_rel = step_rel > max_rel ? step_rel : max_rel;
        argmax_equal &= ax == ay;
    }
    printf("max_abs %.3e max_rel %.3e argmax_equal %d min_top2_margin %.3e steps %d n_vocab %d\n", max_abs, max_rel, argmax_equal,
           min_margin, sa, va);
    free(a);
    free(b);
    return 0;
}

int main(int argc, char ** argv) {
    setlocale(LC_NUMERIC, "C");
    if (argc == 6 && strcmp(argv[1], "run") == 0) {
        char * end;
        long n = strtol(argv[3], &end, 10);
        if (*end != '\0' || n < 1 || n > 4096) {
            fprintf(stderr, "greedy-logits: N_PREDICT '%s' is not a number from 1 to 4096\n", argv[3]);
            return 2;
        }
        return run(argv[2], (int) n, argv[4], argv[5]);
    }
    if (argc == 4 && strcmp(argv[1], "diff") == 0) {
        return diff(argv[2], argv[3]);
    }
    return usage();
}
