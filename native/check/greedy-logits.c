/*
 * Greedy decoding with llama-simple's settings, printing the token ids and writing every step's
 * last-position logits, so that two builds of the engine (x86-64 and aarch64, or two instruction-set
 * levels) can be compared number by number, not only by the text they print.
 *
 *   greedy-logits run [--no-flash-attn] MODEL N_PREDICT LOGITS_OUT PROMPT [FORCED]
 *                      decode; token ids on stdout, logits to LOGITS_OUT. With FORCED (what another
 *                      run printed), the tokens fed back are FORCED's, not this run's choices, so
 *                      that every step's logits come from the same context as in that run; the
 *                      choices printed are still this run's own. --no-flash-attn computes attention
 *                      as two matrix products instead of the fused kernel (llama-simple's default,
 *                      "auto", uses the fused one on the CPU).
 *   greedy-logits diff A B                                 compare two LOGITS_OUT files
 *   greedy-logits trace [--no-flash-attn] MODEL TRACE_OUT PROMPT   the prompt's forward pass, every float32 tensor the
 *                                                          graph computes, in order (the engine's eval callback)
 *   greedy-logits tracediff A B                            per tensor, the largest difference relative to the
 *                                                          tensor's largest |value|: where two builds part
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
    fprintf(stderr, "usage: greedy-logits run [--no-flash-attn] MODEL N_PREDICT LOGITS_OUT PROMPT [FORCED]\n"
                    "       greedy-logits diff A B\n"
                    "       greedy-logits trace [--no-flash-attn] MODEL TRACE_OUT PROMPT\n"
                    "       greedy-logits tracediff A B\n");
    return 2;
}

static void quiet_log(enum ggml_log_level level, const char * text, void * user) {
    (void) user;
    if (level >= GGML_LOG_LEVEL_WARN && level != GGML_LOG_LEVEL_CONT) {
        fputs(text, stderr);
    }
}

/* trace: one record per computed float32 tensor: name, op, element count, then the values */
static bool trace_tensor(struct ggml_tensor * t, bool ask, void * user) {
    if (ask) {
        return t->type == GGML_TYPE_F32 && ggml_is_contiguous(t);
    }
    FILE * f = user;
    long long n = ggml_nelements(t);
    char name[sizeof(t->name)];
    snprintf(name, sizeof(name), "%s", t->name[0] ? t->name : "-");
    for (char * c = name; *c; c++) {
        *c = *c == ' ' ? '_' : *c; /* "cache_k_l0 (view)": one word per field */
    }
    fprintf(f, "%s %s %lld\n", name, ggml_op_desc(t), n);
    fwrite(t->data, sizeof(float), (size_t) n, f);
    return true;
}

/* the "generated" line of a file written by run: at most max ids into out; -1 when there is none */
static int read_forced(const char * path, llama_token * out, int max) {
    FILE * f = fopen(path, "r");
    char word[32];
    int n = -1;
    while (f != NULL && fscanf(f, "%31s", word) == 1) {
        if (strcmp(word, "generated") == 0) {
            n = 0;
        } else if (n >= 0 && n < max) {
            out[n++] = (llama_token) atoi(word);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return n;
}

static int run(const char * model_path, int n_predict, const char * logits_path, const char * prompt, FILE * trace,
               const char * forced_path, bool flash_attn) {
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
    llama_token * forced = malloc(sizeof(llama_token) * (size_t) n_predict);
    int n_forced = forced_path != NULL ? read_forced(forced_path, forced, n_predict) : -1;
    if (forced == NULL || (forced_path != NULL && n_forced < 0)) {
        fprintf(stderr, "greedy-logits: '%s' has no 'generated' line\n", forced_path);
        return 2;
    }
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = (uint32_t) (n_prompt + n_predict - 1);
    cp.n_batch = (uint32_t) n_prompt;
    if (!flash_attn) {
        cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    }
    if (trace != NULL) {
        cp.cb_eval = trace_tensor;
        cp.cb_eval_user_data = trace;
    }
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
        if (trace != NULL) {
            break; /* the prompt's pass is enough to find where two builds part */
        }
        const float * logits = llama_get_logits_ith(ctx, -1);
        if (fwrite(logits, sizeof(float), (size_t) n_vocab, out) != (size_t) n_vocab) {
            fprintf(stderr, "greedy-logits: cannot write '%s'\n", logits_path);
            return 1;
        }
        steps++;
        llama_token id = llama_sampler_sample(smpl, ctx, -1);
        if (n_forced < 0 ? llama_vocab_is_eog(vocab, id) : steps > n_forced) {
            break;
        }
        printf(" %d", id);
        tokens[n_prompt + steps - 1] = n_forced < 0 ? id : forced[steps - 1];
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
    free(forced);
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

static int tracediff(const char * path_a, const char * path_b) {
    FILE * fa = fopen(path_a, "rb");
    FILE * fb = fopen(path_b, "rb");
    if (fa == NULL || fb == NULL) {
        fprintf(stderr, "greedy-logits: cannot open '%s' or '%s'\n", path_a, path_b);
        return 2;
    }
    char na[128], oa[64], nb[128], ob[64];
    long long ca, cb;
    int i = 0;
    while (fscanf(fa, "%127s %63s %lld", na, oa, &ca) == 3 && fgetc(fa) == '\n') {
        if (fscanf(fb, "%127s %63s %lld", nb, ob, &cb) != 3 || fgetc(fb) != '\n' || strcmp(na, nb) != 0 || ca != cb) {
            printf("graphs differ at tensor %d: %s %s %lld vs %s\n", i, na, oa, ca, feof(fb) ? "end" : nb);
            return 1;
        }
        float * a = malloc(sizeof(float) * (size_t) ca);
        float * b = malloc(sizeof(float) * (size_t) ca);
        if (a == NULL || b == NULL || fread(a, sizeof(float), (size_t) ca, fa) != (size_t) ca ||
            fread(b, sizeof(float), (size_t) ca, fb) != (size_t) ca) {
            fprintf(stderr, "greedy-logits: truncated trace at tensor %d (%s)\n", i, na);
            return 2;
        }
        double d = 0, scale = 0;
        for (long long k = 0; k < ca; k++) {
            double e = fabs((double) a[k] - (double) b[k]);
            d = e > d || isnan(e) ? (isnan(e) ? INFINITY : e) : d;
            scale = fabs(a[k]) > scale ? fabs(a[k]) : scale;
        }
        printf("%4d %-24s %-12s %9lld max_abs %.3e max_rel %.3e\n", i, na, oa, ca, d, scale > 0 ? d / scale : d);
        free(a);
        free(b);
        i++;
    }
    fclose(fa);
    fclose(fb);
    return 0;
}

int main(int argc, char ** argv) {
    setlocale(LC_NUMERIC, "C");
    bool flash_attn = true;
    if (argc > 2 && (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "trace") == 0) && strcmp(argv[2], "--no-flash-attn") == 0) {
        flash_attn = false;
        for (int i = 2; i < argc; i++) {
            argv[i] = argv[i + 1]; /* argv[argc] is NULL */
        }
        argc--;
    }
    if ((argc == 6 || argc == 7) && strcmp(argv[1], "run") == 0) {
        char * end;
        long n = strtol(argv[3], &end, 10);
        if (*end != '\0' || n < 1 || n > 4096) {
            fprintf(stderr, "greedy-logits: N_PREDICT '%s' is not a number from 1 to 4096\n", argv[3]);
            return 2;
        }
        return run(argv[2], (int) n, argv[4], argv[5], NULL, argc == 7 ? argv[6] : NULL, flash_attn);
    }
    if (argc == 5 && strcmp(argv[1], "trace") == 0) {
        FILE * t = fopen(argv[3], "wb");
        if (t == NULL) {
            fprintf(stderr, "greedy-logits: cannot open '%s'\n", argv[3]);
            return 2;
        }
        char logits_path[4096];
        snprintf(logits_path, sizeof(logits_path), "%s.logits", argv[3]);
        int rc = run(argv[2], 1, logits_path, argv[4], t, NULL, flash_attn);
        fclose(t);
        return rc;
    }
    if (argc == 4 && strcmp(argv[1], "tracediff") == 0) {
        return tracediff(argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "diff") == 0) {
        return diff(argv[2], argv[3]);
    }
    return usage();
}
