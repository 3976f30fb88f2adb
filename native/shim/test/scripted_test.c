/* Tests of the scripted library through the ABI (run by native/shim/test.sh): multi-token
 * chunks, a token-less final, an error, a rejected enqueue, cancellation, a token buffer too
 * small, an event buffer too small, the default script, destroy twice. */
#define _POSIX_C_SOURCE 200809L
#include "../edgebench_request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static int64_t submit(ebr_engine *h, uint64_t tag, int32_t max_new) {
    static const int32_t prompt[3] = {5, 6, 7};
    ebr_request r;
    char err[256];
    ebr_request_init(&r);
    r.tokens = prompt;
    r.n_tokens = 3;
    r.max_new_tokens = max_new;
    r.client_tag = tag;
    return ebr_enqueue(h, &r, err, (int32_t) sizeof err);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char path[512], err[256], buf[64];
    FILE *f;
    ebr_engine *h = NULL;
    ebr_event ev[8];
    int32_t toks[16], used = 0, n, rc;
    int64_t a, b, c, d, e5, e6;

    snprintf(path, sizeof path, "%s/ebr-scripted-test.script", dir);
    f = fopen(path, "w");
    if (f == NULL) { perror(path); return 2; }
    fputs("# request 1: two chunks then a token-less final\n"
          "request 1\nperf\ntokens 11 12 13\ndelay 60\ntokens 14\nfinal end_id\n"
          "request 2\ntokens 21\nerror engine failed on request 2\n"
          "reject 3 -7 queue full\n"
          "request 4\ntokens 41\nhold\n"
          "request 5\ntokens 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\nfinal length\n",
          f);
    fclose(f);

    CHECK(ebr_abi_version() == EBR_ABI_VERSION, "abi version %d", ebr_abi_version());
    CHECK((ebr_capabilities() & EBR_CAP_TEST_DOUBLE) != 0, "capabilities lack TEST_DOUBLE");
    rc = ebr_create("/nonexistent/script", NULL, &h, err, (int32_t) sizeof err);
    CHECK(rc == EBR_ERR_LOAD && h == NULL && strstr(err, "/nonexistent/script") != NULL, "missing script: %d %s", rc, err);
    rc = ebr_create(path, NULL, &h, err, (int32_t) sizeof err);
    CHECK(rc == EBR_OK && h != NULL, "create: %d %s", rc, err);
    if (h == NULL) return 1;

    a = submit(h, 100, 8);
    b = submit(h, 200, 8);
    c = submit(h, 300, 8);
    CHECK(a == 1 && b == 2, "ids %lld %lld", (long long) a, (long long) b);
    CHECK(c == EBR_ERR_BUSY, "rejected enqueue returned %lld", (long long) c);
    d = submit(h, 400, 8);
    e5 = submit(h, 500, 8);

    /* first poll: request 1's first chunk, request 2's token and error, request 4's token;
     * request 5's 20 tokens do not fit a 16-token buffer after the others */
    n = ebr_poll(h, 100, ev, 8, toks, 16, &used);
    CHECK(n == 4, "first poll gave %d events", n);
    CHECK(ev[0].req_id == a && ev[0].n_tok == 3 && toks[ev[0].tok_off] == 11 && ev[0].has_perf == 1 && ev[0].client_tag == 100,
          "chunk of 3: req %lld n %d", (long long) ev[0].req_id, ev[0].n_tok);
    CHECK(ev[2].req_id == b && ev[2].is_final && ev[2].has_error && ev[2].n_tok == 0, "error event");
    CHECK(used == 5, "tokens used %d", used);
    rc = ebr_error(h, b, buf, 8);
    CHECK(rc == (int32_t) strlen("engine failed on request 2") && strcmp(buf, "engine \x66") != 0 && strlen(buf) == 7,
          "error text length %d '%s'", rc, buf);
    CHECK(ebr_error(h, a, buf, (int32_t) sizeof buf) == EBR_ERR_NOT_FOUND, "no error for request 1");

    n = ebr_poll(h, 0, ev, 8, toks, 16, &used);
    CHECK(n == EBR_ERR_BUFFER_TOO_SMALL && used == 20, "too small: %d used %d", n, used);
    n = ebr_poll(h, 0, ev, 8, toks, 0, &used);
    CHECK(n == EBR_ERR_BUFFER_TOO_SMALL, "still pending: %d", n);
    {
        int32_t big[32];
        n = ebr_poll(h, 0, ev, 8, big, 32, &used);
        CHECK(n == 2 && ev[0].req_id == e5 && ev[0].n_tok == 20 && big[19] == 20 && !ev[0].is_final,
              "request 5 after a larger buffer: %d", n);
        CHECK(ev[1].req_id == e5 && ev[1].n_tok == 0 && ev[1].is_final && ev[1].finish_reason == EBR_FINISH_LENGTH,
              "request 5's token-less final");
    }

    CHECK(ebr_cancel(h, d) == EBR_OK, "cancel held request");
    CHECK(ebr_cancel(h, 999) == EBR_ERR_NOT_FOUND, "cancel unknown id");
    /* request 1's delayed chunk and final, request 4's cancellation: wait for all three */
    {
        int got = 0, seen_cancel = 0, seen_final = 0, i, tries = 0;
        while (got < 3 && tries++ < 50) {
            n = ebr_poll(h, 20, ev, 1, toks, 16, &used);  /* one event at a time: the rest stay queued */
            CHECK(n >= 0 && n <= 1, "poll with ev_cap 1 gave %d", n);
            for (i = 0; i < n; i++, got++) {
                if (ev[i].req_id == d) seen_cancel = ev[i].is_final && ev[i].finish_reason == EBR_FINISH_CANCELLED && ev[i].n_tok == 0;
                if (ev[i].req_id == a && ev[i].is_final) seen_final = ev[i].finish_reason == EBR_FINISH_END_ID && ev[i].n_tok == 0;
            }
        }
        CHECK(got == 3 && seen_cancel && seen_final, "got %d cancel %d token-less final %d", got, seen_cancel, seen_final);
    }
    CHECK(ebr_cancel(h, d) == EBR_ERR_NOT_FOUND, "cancel after final");

    e6 = submit(h, 600, 3);  /* no script: 3 one-token events, last final */
    n = ebr_poll(h, 100, ev, 8, toks, 16, &used);
    CHECK(n == 3 && ev[2].req_id == e6 && ev[2].is_final && toks[2] == 3 && ev[2].finish_reason == EBR_FINISH_LENGTH,
          "default script: %d", n);
    CHECK(ebr_poll(h, 0, ev, 0, toks, 16, &used) == EBR_ERR_INVALID_ARGUMENT, "ev_cap 0");
    CHECK(ebr_poll(h, -1, ev, 8, toks, 16, &used) == EBR_ERR_INVALID_ARGUMENT, "negative timeout");
    {
        int64_t t0 = ebr_now_ns();
        n = ebr_poll(h, 30, ev, 8, toks, 16, &used);
        CHECK(n == 0 && ebr_now_ns() - t0 >= 29000000LL, "empty poll waits its timeout: %d", n);
    }
    CHECK(ebr_iter_stats_json(h, buf, (int32_t) sizeof buf) > 0 && strstr(buf, "scripted") != NULL, "stats '%s'", buf);
    CHECK(ebr_destroy(&h) == EBR_OK && h == NULL, "destroy");
    CHECK(ebr_destroy(&h) == EBR_OK, "destroy twice");
    CHECK(ebr_destroy(NULL) == EBR_OK, "destroy NULL");
    remove(path);
    if (failures == 0) printf("scripted_test: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
