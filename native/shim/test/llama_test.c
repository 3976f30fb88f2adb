/* Tests of the llama implementation on a real model (run by native/shim/test.sh <model.gguf>):
 * greedy tokens of four requests run one at a time equal their tokens when the four run in one
 * batch; a prompt longer than the context fails alone; cancellation mid-stream; iteration
 * statistics; destroy twice; greedy tokens chosen on the device (EBR_LLAMA_SAMPLING=device, which
 * a CPU build takes too) equal those chosen on the host, a sampled request in a device engine is
 * served on the host and the greedy one after it in the same sequence still matches. */
#define _POSIX_C_SOURCE 200809L
#include "../edgebench_request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_REQ 4
#define N_GEN 24

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static int32_t prompts[N_REQ][64];
static const int32_t prompt_len[N_REQ] = {7, 33, 64, 12};

static ebr_engine *open_engine(const char *model, int32_t n_seq, int32_t n_ctx, int32_t n_ubatch) {
    ebr_config cfg;
    ebr_engine *h = NULL;
    char err[512];
    int32_t rc;
    ebr_config_init(&cfg);
    cfg.n_seq_max = n_seq;
    cfg.n_ctx = n_ctx;
    cfg.n_batch = 256;
    cfg.n_ubatch = n_ubatch;
    cfg.n_threads = 2;
    cfg.n_gpu_layers = 0;
    rc = ebr_create(model, &cfg, &h, err, (int32_t) sizeof err);
    CHECK(rc == EBR_OK, "create: %d %s", rc, err);
    return h;
}

static int64_t submit(ebr_engine *h, const int32_t *toks, int32_t n, int32_t max_new, uint64_t tag) {
    ebr_request r;
    char err[512];
    int64_t id;
    ebr_request_init(&r);
    r.tokens = toks;
    r.n_tokens = n;
    r.max_new_tokens = max_new;
    r.client_tag = tag;
    id = ebr_enqueue(h, &r, err, (int32_t) sizeof err);
    CHECK(id > 0, "enqueue: %lld %s", (long long) id, err);
    return id;
}

/* Polls until every request in ids has its final event; collects tokens per request. */
static void drain(ebr_engine *h, const int64_t *ids, int n, int32_t out[][N_GEN + 8], int32_t *n_out,
                  int32_t *reasons, int32_t *errors) {
    ebr_event ev[16];
    int32_t toks[256], used, k, i, j, finals = 0, polls = 0;
    for (i = 0; i < n; i++) { n_out[i] = 0; reasons[i] = -99; errors[i] = 0; }
    while (finals < n && polls++ < 20000) {
        k = ebr_poll(h, 50, ev, 16, toks, 256, &used);
        CHECK(k >= 0, "poll: %d", k);
        if (k < 0) return;
        for (j = 0; j < k; j++) {
            for (i = 0; i < n; i++) {
                if (ev[j].req_id != ids[i]) continue;
                CHECK(ev[j].client_tag == (uint64_t) (1000 + i), "tag %llu", (unsigned long long) ev[j].client_tag);
                if (n_out[i] + ev[j].n_tok <= N_GEN + 8) {
                    memcpy(&out[i][n_out[i]], &toks[ev[j].tok_off], sizeof(int32_t) * (size_t) ev[j].n_tok);
                }
                n_out[i] += ev[j].n_tok;
                if (ev[j].is_final) {
                    finals++;
                    reasons[i] = ev[j].finish_reason;
                    errors[i] = ev[j].has_error;
                    CHECK(ev[j].has_error || ev[j].first_tok_ns >= ev[j].first_sched_ns, "times out of order");
                }
            }
        }
    }
    CHECK(finals == n, "only %d of %d finals", finals, n);
}

int main(int argc, char **argv) {
    static int32_t seq_tokens[N_REQ][N_GEN + 8], bat_tokens[N_REQ][N_GEN + 8];
    int32_t n_seq_out[N_REQ], n_bat_out[N_REQ], reasons[N_REQ], errors[N_REQ];
    int64_t ids[N_REQ];
    ebr_engine *h;
    char stats[8192], buf[256];
    int i, j;
    uint32_t x = 2026;
    if (argc < 2) { fprintf(stderr, "usage: llama_test <model.gguf>\n"); return 2; }
    for (i = 0; i < N_REQ; i++) {
        for (j = 0; j < 64; j++) { x = x * 1664525u + 1013904223u; prompts[i][j] = (int32_t) (1 + (x >> 8) % 30000); }
    }
    ebr_backend_version(buf, (int32_t) sizeof buf);
    printf("backend: %s\n", buf);
    setenv("EBR_LLAMA_SAMPLING", "host", 1);  /* the reference tokens: chosen on the host */

    /* concurrency 1: one request at a time in a one-slot engine */
    h = open_engine(argv[1], 1, 512, 16);
    if (h == NULL) return 1;
    for (i = 0; i < N_REQ; i++) {
        ids[0] = submit(h, prompts[i], prompt_len[i], N_GEN, 1000);
        drain(h, ids, 1, &seq_tokens[i], &n_seq_out[i], &reasons[0], &errors[0]);
        CHECK(n_seq_out[i] == N_GEN && reasons[0] == EBR_FINISH_LENGTH && !errors[0], "c1 request %d: %d tokens reason %d", i, n_seq_out[i], reasons[0]);
    }
    ebr_destroy(&h);

    /* concurrency 4: the same requests in one running batch, prompts in chunks of 16 */
    h = open_engine(argv[1], 4, 4 * 512, 16);
    if (h == NULL) return 1;
    for (i = 0; i < N_REQ; i++) ids[i] = submit(h, prompts[i], prompt_len[i], N_GEN, (uint64_t) (1000 + i));
    drain(h, ids, N_REQ, bat_tokens, n_bat_out, reasons, errors);
    for (i = 0; i < N_REQ; i++) {
        CHECK(n_bat_out[i] == N_GEN && reasons[i] == EBR_FINISH_LENGTH, "c4 request %d: %d tokens reason %d", i, n_bat_out[i], reasons[i]);
        CHECK(memcmp(seq_tokens[i], bat_tokens[i], sizeof(int32_t) * N_GEN) == 0, "request %d: batched tokens differ from one-at-a-time", i);
    }
    printf("request 0 tokens:");
    for (j = 0; j < 8; j++) printf(" %d", bat_tokens[0][j]);
    printf(" ...\n");
    CHECK(ebr_iter_stats_json(h, stats, (int32_t) sizeof stats) > 0, "stats");
    printf("stats (head): %.300s\n", stats);

    /* a prompt longer than the per-sequence context fails alone; a cancelled request ends */
    {
        static int32_t longp[600];
        int64_t two[2];
        int32_t o[2][N_GEN + 8], no[2], r2[2], e2[2], other = 0, other_done = 0;
        for (j = 0; j < 600; j++) longp[j] = 1 + j;
        two[0] = submit(h, longp, 600, 4, 1000);
        two[1] = submit(h, prompts[1], prompt_len[1], N_GEN, 1001);
        drain(h, two, 2, o, no, r2, e2);
        CHECK(e2[0] == 1 && r2[0] == EBR_FINISH_UNKNOWN, "long prompt: error %d reason %d", e2[0], r2[0]);
        CHECK(ebr_error(h, two[0], buf, (int32_t) sizeof buf) > 0 && strstr(buf, "600") != NULL, "error text '%s'", buf);
        printf("long prompt error: %s\n", buf);
        CHECK(e2[1] == 0 && no[1] == N_GEN && memcmp(o[1], seq_tokens[1], sizeof(int32_t) * N_GEN) == 0, "the other request");

        two[0] = submit(h, prompts[2], prompt_len[2], 100000, 1000);
        two[1] = submit(h, prompts[3], prompt_len[3], 8, 1001);
        {
            ebr_event ev[4];
            int32_t toks[64], used, k, seen = 0, tries = 0;
            while (seen < 3 && tries++ < 2000) {
                k = ebr_poll(h, 50, ev, 1, toks, 64, &used);
                if (k == 1 && ev[0].req_id == two[0]) seen++;
                if (k == 1 && ev[0].req_id == two[1]) other += ev[0].n_tok;
                CHECK(k != 1 || !ev[0].is_final || ev[0].req_id == two[1], "request to cancel ended early");
                if (k == 1 && ev[0].req_id == two[1] && ev[0].is_final) other_done = 1;
            }
        }
        CHECK(ebr_cancel(h, two[0]) == EBR_OK, "cancel running request");
        no[1] = 0;
        drain(h, two, 2 - other_done, o, no, r2, e2);
        no[1] += other;
        if (other_done) r2[1] = EBR_FINISH_LENGTH;
        CHECK(r2[0] == EBR_FINISH_CANCELLED, "cancelled reason %d", r2[0]);
        CHECK(r2[1] == EBR_FINISH_LENGTH && no[1] == 8, "the other request after the cancel: %d tokens", no[1]);
        CHECK(ebr_cancel(h, two[0]) == EBR_ERR_NOT_FOUND, "cancel after final");
    }
    {
        /* an idle engine waits without spinning: little CPU over half a second */
        struct timespec c0, c1, nap = {0, 500000000L};
        double cpu_ms;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        nanosleep(&nap, NULL);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        cpu_ms = (double) (c1.tv_sec - c0.tv_sec) * 1e3 + (double) (c1.tv_nsec - c0.tv_nsec) / 1e6;
        CHECK(cpu_ms < 100.0, "idle engine used %.1f ms of CPU in 500 ms", cpu_ms);
    }
    {
        /* non-streaming: one final event with every token; seeded sampling repeats itself */
        ebr_request r;
        ebr_event ev[4];
        int32_t toks[256], used, k, got = 0, n_final_tok = -1, runs[3][N_GEN], run;
        char err[256];
        int64_t id;
        ebr_request_init(&r);
        r.tokens = prompts[2];
        r.n_tokens = prompt_len[2];
        r.max_new_tokens = N_GEN;
        r.streaming = 0;
        id = ebr_enqueue(h, &r, err, (int32_t) sizeof err);
        while (n_final_tok < 0 && got++ < 2000) {
            k = ebr_poll(h, 50, ev, 4, toks, 256, &used);
            CHECK(k == 0 || (k == 1 && ev[0].req_id == id && ev[0].is_final), "non-streaming: only a final event (%d)", k);
            if (k == 1) {
                n_final_tok = ev[0].n_tok;
                CHECK(memcmp(toks, seq_tokens[2], sizeof(int32_t) * N_GEN) == 0, "non-streaming tokens = streamed tokens");
            }
        }
        CHECK(n_final_tok == N_GEN, "non-streaming final carries %d tokens", n_final_tok);
        for (run = 0; run < 3; run++) {
            ebr_request_init(&r);
            r.tokens = prompts[0];
            r.n_tokens = prompt_len[0];
            r.max_new_tokens = N_GEN;
            r.temperature = 1.5f;
            r.has_seed = 1;
            r.seed = run < 2 ? 42u : 43u;
            id = ebr_enqueue(h, &r, err, (int32_t) sizeof err);
            for (got = 0, k = 0; got < N_GEN && k++ < 2000;) {
                int m = ebr_poll(h, 50, ev, 4, toks, 256, &used), j;
                for (j = 0; j < m; j++) {
                    if (ev[j].req_id == id && ev[j].n_tok == 1 && got < N_GEN) runs[run][got++] = toks[ev[j].tok_off];
                }
            }
            CHECK(got == N_GEN, "sampled run %d: %d tokens", run, got);
        }
        CHECK(memcmp(runs[0], runs[1], sizeof runs[0]) == 0, "the same seed gives the same tokens");
        CHECK(memcmp(runs[0], runs[2], sizeof runs[0]) != 0, "another seed gives other tokens");
        CHECK(memcmp(runs[0], seq_tokens[0], sizeof runs[0]) != 0, "sampling at temperature 1.5 is not greedy");
    }
    {
        /* an end id stops the request right after that token, with reason END_ID */
        int64_t one[1];
        int32_t o[1][N_GEN + 8], no[1], r1[1], e1[1], stop = 5;
        ebr_request r;
        char err[256];
        for (j = 0; j < stop; j++) {
            if (seq_tokens[0][j] == seq_tokens[0][5]) stop = j;
        }
        ebr_request_init(&r);
        r.tokens = prompts[0];
        r.n_tokens = prompt_len[0];
        r.max_new_tokens = N_GEN;
        r.end_id = seq_tokens[0][5];
        r.client_tag = 1000;
        one[0] = ebr_enqueue(h, &r, err, (int32_t) sizeof err);
        drain(h, one, 1, o, no, r1, e1);
        CHECK(r1[0] == EBR_FINISH_END_ID && no[0] == stop + 1 && o[0][stop] == seq_tokens[0][5],
              "end id: reason %d after %d tokens (want %d)", r1[0], no[0], stop + 1);
    }
    CHECK(ebr_destroy(&h) == EBR_OK && h == NULL, "destroy");
    CHECK(ebr_destroy(&h) == EBR_OK, "destroy twice");
    {
        /* greedy tokens chosen in the graph (llama.cpp's backend sampling) */
        int32_t dev_tokens[N_REQ][N_GEN + 8], n_dev_out[N_REQ];
        ebr_request r;
        char err[256];
        int64_t one[1];
        setenv("EBR_LLAMA_SAMPLING", "device", 1);
        h = open_engine(argv[1], 2, 2 * 512, 16);
        if (h == NULL) return 1;
        for (i = 0; i < 2; i++) ids[i] = submit(h, prompts[i], prompt_len[i], N_GEN, (uint64_t) (1000 + i));
        drain(h, ids, 2, dev_tokens, n_dev_out, reasons, errors);
        for (i = 0; i < 2; i++) {
            CHECK(n_dev_out[i] == N_GEN && !errors[i], "device request %d: %d tokens", i, n_dev_out[i]);
            CHECK(memcmp(dev_tokens[i], seq_tokens[i], sizeof(int32_t) * N_GEN) == 0, "request %d: device tokens differ from the host's", i);
        }
        CHECK(ebr_iter_stats_json(h, stats, (int32_t) sizeof stats) > 0 && strstr(stats, "\"sampling\":\"device\"") != NULL
              && strstr(stats, "\"deviceSampledTotal\":48") != NULL, "device stats: %.160s", stats);
        /* a sampled request takes sequence 0 off the device, the greedy one after it is chosen on the host */
        ebr_request_init(&r);
        r.tokens = prompts[2];
        r.n_tokens = prompt_len[2];
        r.max_new_tokens = N_GEN;
        r.temperature = 1.5f;
        r.has_seed = 1;
        r.seed = 42u;
        r.client_tag = 1000;
        one[0] = ebr_enqueue(h, &r, err, (int32_t) sizeof err);
        drain(h, one, 1, dev_tokens, n_dev_out, reasons, errors);
        CHECK(n_dev_out[0] == N_GEN && !errors[0], "sampled request in a device engine: %d tokens, error %d", n_dev_out[0], errors[0]);
        for (i = 0; i < 2; i++) ids[i] = submit(h, prompts[3 - i], prompt_len[3 - i], N_GEN, (uint64_t) (1000 + i));
        drain(h, ids, 2, dev_tokens, n_dev_out, reasons, errors);
        for (i = 0; i < 2; i++) {
            CHECK(n_dev_out[i] == N_GEN && memcmp(dev_tokens[i], seq_tokens[3 - i], sizeof(int32_t) * N_GEN) == 0,
                  "greedy request %d after the sampled one: tokens differ", 3 - i);
        }
        CHECK(ebr_destroy(&h) == EBR_OK, "destroy the device engine");
        setenv("EBR_LLAMA_SAMPLING", "sideways", 1);
        {
            ebr_config cfg;
            int32_t rc;
            ebr_config_init(&cfg);
            rc = ebr_create(argv[1], &cfg, &h, err, (int32_t) sizeof err);
            CHECK(rc == EBR_ERR_INVALID_ARGUMENT && h == NULL && strstr(err, "EBR_LLAMA_SAMPLING") != NULL, "bad sampling: %d %s", rc, err);
        }
        setenv("EBR_LLAMA_SAMPLING", "host", 1);
    }
    {
        ebr_config cfg;
        char err[512];
        int32_t rc;
        ebr_config_init(&cfg);
        rc = ebr_create("/nonexistent/model.gguf", &cfg, &h, err, (int32_t) sizeof err);
        CHECK(rc == EBR_ERR_LOAD && h == NULL && strstr(err, "/nonexistent/model.gguf") != NULL, "missing model: %d %s", rc, err);
        cfg.n_seq_max = 8;
        cfg.n_batch = 4;
        cfg.n_ubatch = 4;
        rc = ebr_create(argv[1], &cfg, &h, err, (int32_t) sizeof err);
        CHECK(rc == EBR_ERR_INVALID_ARGUMENT && strstr(err, "n_batch") != NULL, "bad config: %d %s", rc, err);
    }
    if (failures == 0) printf("llama_test: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
