/*
 * edgebench_request.h as a test double: ebr_create reads a script, and each enqueued request
 * replays the script written for its position (the n-th ebr_enqueue on the handle). For the
 * contract tests of the Java side only: built as libedgebench_request_scripted.so, which no
 * user-facing option names.
 *
 * Script: one directive per line; '#' starts a comment; blank lines are ignored.
 *   request <n>              the following steps belong to the n-th enqueued request (1-based)
 *     tokens <t> [<t> ...]   an event carrying these tokens (not final)
 *     delay <ms>             the next step becomes due <ms> milliseconds later
 *     final <reason> [<t> ...]  the final event, with these tokens (none is allowed); reason:
 *                            unknown, end_id, stop_words, length, timed_out, cancelled or a number
 *     error <text...>        a final error event; ebr_error returns the text
 *     hold                   nothing more until ebr_cancel (then a token-less CANCELLED final)
 *     perf                   this request's events carry engine times (has_perf = 1)
 *   reject <n> <code> <text...>  the n-th ebr_enqueue fails with <code> and <text>
 *   stats <json>             the text ebr_iter_stats_json returns
 * A request with no script gets max_new_tokens events of one token each (1, 2, 3, ...), the last
 * one final with reason length. Steps become due relative to the enqueue time; ebr_poll
 * releases every due step (oldest first) and waits up to its timeout for the next one.
 * Cancellation drops the steps not yet due and ends the request with a token-less final event
 * (reason cancelled).
 */
#define _POSIX_C_SOURCE 200809L
#include "edgebench_request.h"
#include "ebr_common.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { STEP_TOKENS, STEP_DELAY, STEP_FINAL, STEP_ERROR, STEP_HOLD };

typedef struct step {
    int kind;
    int64_t delay_ns;
    int32_t reason;
    int32_t n_tok;
    int32_t *toks;
    char *text;
} step;

typedef struct script {
    int64_t request_no;
    int perf;
    int32_t n_steps, cap_steps;
    step *steps;
} script;

typedef struct reject {
    int64_t request_no;
    int32_t code;
    char *text;
} reject;

typedef struct live_req {
    int64_t id;
    uint64_t tag;
    int32_t max_new;
    int streaming;
    const script *sc;     /* NULL: the default script */
    int32_t next;         /* next step (default script: tokens emitted so far) */
    int64_t due_ns;
    int64_t arrival_ns, first_tok_ns, last_tok_ns;
    int32_t iter;
    int done, cancelled, held;
    char *error;          /* error text after an error step */
} live_req;

typedef struct pending {
    ebr_event ev;
    int32_t *toks;
} pending;

struct ebr_engine {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    script *scripts;
    int32_t n_scripts;
    reject *rejects;
    int32_t n_rejects;
    char *stats;
    live_req *reqs;
    int32_t n_reqs, cap_reqs;
    pending *queue;
    int32_t q_head, q_len, q_cap;
    int64_t enqueued;
    int64_t polls;
};

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n == 0 ? 1 : n);
    if (q == NULL) {
        free(p);
    }
    return q;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

static int parse_reason(const char *w, int32_t *out) {
    static const char *names[] = {"not_finished", "end_id", "stop_words", "length", "timed_out", "cancelled"};
    char *end;
    long v;
    int i;
    if (strcmp(w, "unknown") == 0) {
        *out = EBR_FINISH_UNKNOWN;
        return 1;
    }
    for (i = 0; i < 6; i++) {
        if (strcmp(w, names[i]) == 0) {
            *out = i;
            return 1;
        }
    }
    v = strtol(w, &end, 10);
    if (*end != '\0' || v < -1 || v > 5) {
        return 0;
    }
    *out = (int32_t) v;
    return 1;
}

static void free_engine(ebr_engine *e) {
    int32_t i, j;
    for (i = 0; i < e->n_scripts; i++) {
        for (j = 0; j < e->scripts[i].n_steps; j++) {
            free(e->scripts[i].steps[j].toks);
            free(e->scripts[i].steps[j].text);
        }
        free(e->scripts[i].steps);
    }
    free(e->scripts);
    for (i = 0; i < e->n_rejects; i++) {
        free(e->rejects[i].text);
    }
    free(e->rejects);
    free(e->stats);
    for (i = 0; i < e->n_reqs; i++) {
        free(e->reqs[i].error);
    }
    free(e->reqs);
    for (i = 0; i < e->q_len; i++) {
        free(e->queue[(e->q_head + i) % e->q_cap].toks);
    }
    free(e->queue);
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

/* Parses the rest of a line as token ids into *st. Returns 0 on a bad number. */
static int parse_tokens(char *rest, step *st) {
    char *save = NULL, *w;
    for (w = strtok_r(rest, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
        char *end;
        long v = strtol(w, &end, 10);
        if (*end != '\0' || v < 0 || v > 0x7fffffff) {
            return 0;
        }
        st->toks = xrealloc(st->toks, sizeof(int32_t) * (size_t) (st->n_tok + 1));
        if (st->toks == NULL) {
            return 0;
        }
        st->toks[st->n_tok++] = (int32_t) v;
    }
    return 1;
}

static const char *skip_ws(const char *s) {
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

static int32_t load_script(ebr_engine *e, const char *path, char *err, int32_t cap) {
    char line[4096], msg[4400];
    int lineno = 0;
    script *cur = NULL;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(msg, sizeof msg, "ebr_create: cannot open script '%s': %s", path, strerror(errno));
        ebr_common_copy_cstr(msg, err, cap);
        return EBR_ERR_LOAD;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *hash = strchr(line, '#'), *save = NULL, *word, *rest;
        const char *bad = NULL;
        size_t len;
        lineno++;
        if (hash != NULL) {
            *hash = '\0';
        }
        len = strlen(line);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t')) {
            line[--len] = '\0';
        }
        word = strtok_r(line, " \t", &save);
        if (word == NULL) {
            continue;
        }
        rest = save == NULL ? (char *) "" : save;
        if (strcmp(word, "request") == 0) {
            long n = strtol(rest, NULL, 10);
            if (n < 1) {
                bad = "request needs a number >= 1";
            } else {
                e->scripts = xrealloc(e->scripts, sizeof(script) * (size_t) (e->n_scripts + 1));
                if (e->scripts == NULL) {
                    fclose(f);
                    return EBR_ERR_NO_MEMORY;
                }
                cur = &e->scripts[e->n_scripts++];
                memset(cur, 0, sizeof *cur);
                cur->request_no = n;
            }
        } else if (strcmp(word, "reject") == 0) {
            char *end;
            long n = strtol(rest, &end, 10);
            long code = strtol(end, &end, 10);
            if (n < 1 || code >= 0) {
                bad = "reject needs a request number >= 1 and a negative code";
            } else {
                e->rejects = xrealloc(e->rejects, sizeof(reject) * (size_t) (e->n_rejects + 1));
                if (e->rejects == NULL) {
                    fclose(f);
                    return EBR_ERR_NO_MEMORY;
                }
                e->rejects[e->n_rejects].request_no = n;
                e->rejects[e->n_rejects].code = (int32_t) code;
                e->rejects[e->n_rejects].text = xstrdup(skip_ws(end));
                e->n_rejects++;
            }
        } else if (strcmp(word, "stats") == 0) {
            free(e->stats);
            e->stats = xstrdup(skip_ws(rest));
        } else if (cur == NULL) {
            bad = "a step before the first 'request' line";
        } else if (strcmp(word, "perf") == 0) {
            cur->perf = 1;
        } else {
            step st;
            memset(&st, 0, sizeof st);
            if (strcmp(word, "tokens") == 0) {
                st.kind = STEP_TOKENS;
                if (!parse_tokens(rest, &st) || st.n_tok == 0) {
                    bad = "tokens needs one or more token ids >= 0";
                }
            } else if (strcmp(word, "delay") == 0) {
                char *end;
                long ms = strtol(rest, &end, 10);
                st.kind = STEP_DELAY;
                st.delay_ns = (int64_t) ms * 1000000LL;
                if (ms < 0 || *skip_ws(end) != '\0') {
                    bad = "delay needs milliseconds >= 0";
                }
            } else if (strcmp(word, "final") == 0) {
                char *save2 = NULL, *r = strtok_r(rest, " \t", &save2);
                st.kind = STEP_FINAL;
                if (r == NULL || !parse_reason(r, &st.reason)) {
                    bad = "final needs a reason (unknown, end_id, stop_words, length, timed_out, cancelled or -1..5)";
                } else if (!parse_tokens(save2 == NULL ? (char *) "" : save2, &st)) {
                    bad = "final has a bad token id";
                }
            } else if (strcmp(word, "error") == 0) {
                st.kind = STEP_ERROR;
                st.text = xstrdup(skip_ws(rest));
            } else if (strcmp(word, "hold") == 0) {
                st.kind = STEP_HOLD;
            } else {
                bad = "unknown directive";
            }
            if (bad == NULL) {
                if (cur->n_steps == cur->cap_steps) {
                    cur->cap_steps = cur->cap_steps * 2 + 4;
                    cur->steps = xrealloc(cur->steps, sizeof(step) * (size_t) cur->cap_steps);
                    if (cur->steps == NULL) {
                        fclose(f);
                        return EBR_ERR_NO_MEMORY;
                    }
                }
                cur->steps[cur->n_steps++] = st;
            } else {
                free(st.toks);
                free(st.text);
            }
        }
        if (bad != NULL) {
            snprintf(msg, sizeof msg, "ebr_create: script '%s' line %d: %s ('%s')", path, lineno, bad, word);
            ebr_common_copy_cstr(msg, err, cap);
            fclose(f);
            return EBR_ERR_LOAD;
        }
    }
    fclose(f);
    return EBR_OK;
}

/* ---- with e->mu held ---- */

static int push(ebr_engine *e, const ebr_event *ev, const int32_t *toks) {
    pending *p;
    if (e->q_len == e->q_cap) {
        int32_t ncap = e->q_cap * 2 + 16, i;
        pending *nq = malloc(sizeof(pending) * (size_t) ncap);
        if (nq == NULL) {
            return 0;
        }
        for (i = 0; i < e->q_len; i++) {
            nq[i] = e->queue[(e->q_head + i) % e->q_cap];
        }
        free(e->queue);
        e->queue = nq;
        e->q_head = 0;
        e->q_cap = ncap;
    }
    p = &e->queue[(e->q_head + e->q_len) % e->q_cap];
    p->ev = *ev;
    p->toks = NULL;
    if (ev->n_tok > 0) {
        p->toks = malloc(sizeof(int32_t) * (size_t) ev->n_tok);
        if (p->toks == NULL) {
            return 0;
        }
        memcpy(p->toks, toks, sizeof(int32_t) * (size_t) ev->n_tok);
    }
    e->q_len++;
    return 1;
}

static ebr_event event_for(const live_req *r, int64_t now, int perf) {
    ebr_event ev;
    memset(&ev, 0, sizeof ev);
    ev.req_id = r->id;
    ev.client_tag = r->tag;
    ev.recv_ns = now;
    ev.decoding_iter = r->iter;
    if (perf) {
        ev.has_perf = 1;
        ev.arrival_ns = r->arrival_ns;
        ev.first_sched_ns = r->arrival_ns;
        ev.first_tok_ns = r->first_tok_ns;
        ev.last_tok_ns = r->last_tok_ns;
    }
    return ev;
}

/* Runs one due step of r (its due time has passed). Returns 0 when out of memory. */
static int run_step(ebr_engine *e, live_req *r, int64_t now) {
    int perf = r->sc != NULL && r->sc->perf;
    ebr_event ev;
    if (r->cancelled) {
        ev = event_for(r, now, perf);
        ev.is_final = 1;
        ev.finish_reason = EBR_FINISH_CANCELLED;
        r->done = 1;
        return push(e, &ev, NULL);
    }
    if (r->sc == NULL) {
        int32_t tok = ++r->next;
        r->iter++;
        if (r->first_tok_ns == 0) {
            r->first_tok_ns = now;
        }
        r->last_tok_ns = now;
        ev = event_for(r, now, 0);
        ev.n_tok = 1;
        if (r->next >= r->max_new) {
            ev.is_final = 1;
            ev.finish_reason = EBR_FINISH_LENGTH;
            r->done = 1;
        }
        return push(e, &ev, &tok);
    }
    {
        const step *st = &r->sc->steps[r->next++];
        switch (st->kind) {
        case STEP_DELAY:
            r->due_ns += st->delay_ns;
            return 1;
        case STEP_HOLD:
            r->held = 1;
            return 1;
        case STEP_ERROR:
            r->error = xstrdup(st->text);
            ev = event_for(r, now, perf);
            ev.is_final = 1;
            ev.has_error = 1;
            ev.finish_reason = EBR_FINISH_UNKNOWN;
            r->done = 1;
            return r->error != NULL && push(e, &ev, NULL);
        default:
            if (st->n_tok > 0) {
                r->iter++;
                if (r->first_tok_ns == 0) {
                    r->first_tok_ns = now;
                }
                r->last_tok_ns = now;
            }
            ev = event_for(r, now, perf);
            ev.n_tok = st->n_tok;
            if (st->kind == STEP_FINAL) {
                ev.is_final = 1;
                ev.finish_reason = st->reason;
                r->done = 1;
            }
            return push(e, &ev, st->toks);
        }
    }
}

/* Whether r has a step to run, and when it is due. */
static int has_step(const live_req *r, int64_t *due) {
    if (r->done) {
        return 0;
    }
    if (r->cancelled) {
        *due = 0;
        return 1;
    }
    if (r->held || (r->sc != NULL && r->next >= r->sc->n_steps)) {
        return 0;
    }
    *due = r->due_ns;
    return 1;
}

/* Runs every step due by now, oldest first; returns the next due time (INT64_MAX: none). */
static int64_t release_due(ebr_engine *e, int64_t now, int *oom) {
    for (;;) {
        int32_t i, best = -1;
        int64_t best_due = INT64_MAX, due;
        for (i = 0; i < e->n_reqs; i++) {
            if (has_step(&e->reqs[i], &due) && due < best_due) {
                best_due = due;
                best = i;
            }
        }
        if (best < 0 || best_due > now) {
            return best_due;
        }
        if (!run_step(e, &e->reqs[best], now)) {
            *oom = 1;
            return INT64_MAX;
        }
    }
}

/* ---- the ABI ---- */

EBR_API int32_t ebr_abi_version(void) { return EBR_ABI_VERSION; }

EBR_API uint64_t ebr_capabilities(void) {
    return EBR_CAP_FINISH_REASONS | EBR_CAP_PERF_METRICS | EBR_CAP_ITER_STATS | EBR_CAP_CANCEL | EBR_CAP_SEED |
           EBR_CAP_DECODING_ITER | EBR_CAP_TEST_DOUBLE;
}

EBR_API int32_t ebr_backend_version(char *buf, int32_t cap) {
    return ebr_common_copy_cstr("scripted test double", buf, cap);
}

EBR_API int32_t ebr_config_init(ebr_config *cfg) {
    if (cfg == NULL) {
        return EBR_ERR_INVALID_ARGUMENT;
    }
    ebr_common_config_defaults(cfg);
    return EBR_OK;
}

EBR_API int32_t ebr_request_init(ebr_request *req) {
    if (req == NULL) {
        return EBR_ERR_INVALID_ARGUMENT;
    }
    ebr_common_request_defaults(req);
    return EBR_OK;
}

EBR_API int32_t ebr_create(const char *path, const ebr_config *cfg, ebr_engine **out, char *err, int32_t cap) {
    ebr_engine *e;
    pthread_condattr_t ca;
    int32_t rc;
    ebr_config c;
    if (out == NULL) {
        ebr_common_copy_cstr("ebr_create: out is NULL", err, cap);
        return EBR_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (path == NULL || path[0] == '\0') {
        ebr_common_copy_cstr("ebr_create: no script path", err, cap);
        return EBR_ERR_INVALID_ARGUMENT;
    }
    ebr_common_config_defaults(&c);
    if (cfg != NULL && ebr_common_read_sized(&c, cfg, sizeof c) != EBR_OK) {
        ebr_common_copy_cstr("ebr_create: bad ebr_config.size", err, cap);
        return EBR_ERR_STRUCT_SIZE;
    }
    e = calloc(1, sizeof *e);
    if (e == NULL) {
        return EBR_ERR_NO_MEMORY;
    }
    pthread_mutex_init(&e->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->cv, &ca);
    pthread_condattr_destroy(&ca);
    rc = load_script(e, path, err, cap);
    if (rc != EBR_OK) {
        if (rc == EBR_ERR_NO_MEMORY) {
            ebr_common_copy_cstr("ebr_create: out of memory reading the script", err, cap);
        }
        free_engine(e);
        return rc;
    }
    *out = e;
    return EBR_OK;
}

EBR_API int64_t ebr_enqueue(ebr_engine *h, const ebr_request *user, char *err, int32_t cap) {
    ebr_request r;
    live_req *lr;
    int64_t no;
    int32_t i;
    if (h == NULL || user == NULL) {
        ebr_common_copy_cstr("ebr_enqueue: handle or request is NULL", err, cap);
        return EBR_ERR_INVALID_ARGUMENT;
    }
    ebr_common_request_defaults(&r);
    if (ebr_common_read_sized(&r, user, sizeof r) != EBR_OK) {
        ebr_common_copy_cstr("ebr_enqueue: bad ebr_request.size", err, cap);
        return EBR_ERR_STRUCT_SIZE;
    }
    if (r.n_tokens < 1 || r.tokens == NULL || r.max_new_tokens < 1) {
        ebr_common_copy_cstr("ebr_enqueue: the prompt is empty or max_new_tokens is below 1", err, cap);
        return EBR_ERR_INVALID_ARGUMENT;
    }
    pthread_mutex_lock(&h->mu);
    no = ++h->enqueued;
    for (i = 0; i < h->n_rejects; i++) {
        if (h->rejects[i].request_no == no) {
            int32_t code = h->rejects[i].code;
            ebr_common_copy_cstr(h->rejects[i].text, err, cap);
            pthread_mutex_unlock(&h->mu);
            return code;
        }
    }
    if (h->n_reqs == h->cap_reqs) {
        live_req *nr = realloc(h->reqs, sizeof(live_req) * (size_t) (h->cap_reqs * 2 + 16));
        if (nr == NULL) {
            pthread_mutex_unlock(&h->mu);
            return EBR_ERR_NO_MEMORY;
        }
        h->reqs = nr;
        h->cap_reqs = h->cap_reqs * 2 + 16;
    }
    lr = &h->reqs[h->n_reqs++];
    memset(lr, 0, sizeof *lr);
    lr->id = no;
    lr->tag = r.client_tag;
    lr->max_new = r.max_new_tokens;
    lr->streaming = r.streaming;
    lr->arrival_ns = ebr_common_now_ns();
    lr->due_ns = lr->arrival_ns;
    for (i = 0; i < h->n_scripts; i++) {
        if (h->scripts[i].request_no == no) {
            lr->sc = &h->scripts[i];
        }
    }
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return no;
}

EBR_API int32_t ebr_cancel(ebr_engine *h, int64_t req_id) {
    int32_t i, rc = EBR_ERR_NOT_FOUND;
    if (h == NULL) {
        return EBR_ERR_INVALID_ARGUMENT;
    }
    pthread_mutex_lock(&h->mu);
    for (i = 0; i < h->n_reqs; i++) {
        if (h->reqs[i].id == req_id && !h->reqs[i].done && !h->reqs[i].cancelled) {
            h->reqs[i].cancelled = 1;
            rc = EBR_OK;
        }
    }
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

EBR_API int32_t ebr_poll(ebr_engine *h, int32_t timeout_ms, ebr_event *events, int32_t ev_cap, int32_t *tokens,
                         int32_t tok_cap, int32_t *tokens_used) {
    int64_t deadline;
    int32_t n = 0, used = 0;
    int oom = 0;
    if (h == NULL || events == NULL || ev_cap < 1 || tok_cap < 0 || (tokens == NULL && tok_cap > 0) ||
        tokens_used == NULL || timeout_ms < 0) {
        return EBR_ERR_INVALID_ARGUMENT;
    }
    *tokens_used = 0;
    deadline = ebr_common_now_ns() + (int64_t) timeout_ms * 1000000LL;
    pthread_mutex_lock(&h->mu);
    h->polls++;
    for (;;) {
        int64_t now = ebr_common_now_ns(), next = release_due(h, now, &oom), until;
        struct timespec ts;
        if (oom) {
            pthread_mutex_unlock(&h->mu);
            return EBR_ERR_NO_MEMORY;
        }
        if (h->q_len > 0 || now >= deadline) {
            break;
        }
        until = next < deadline ? next : deadline;
        ts.tv_sec = (time_t) (until / 1000000000LL);
        ts.tv_nsec = (long) (until % 1000000000LL);
        pthread_cond_timedwait(&h->cv, &h->mu, &ts);
    }
    while (n < ev_cap && h->q_len > 0) {
        pending *p = &h->queue[h->q_head];
        int32_t k = p->ev.n_tok;
        if (used + k > tok_cap) {
            if (n == 0) {
                *tokens_used = k;
                pthread_mutex_unlock(&h->mu);
                return EBR_ERR_BUFFER_TOO_SMALL;
            }
            break;
        }
        events[n] = p->ev;
        events[n].tok_off = used;
        if (k > 0) {
            memcpy(tokens + used, p->toks, sizeof(int32_t) * (size_t) k);
        }
        free(p->toks);
        used += k;
        n++;
        h->q_head = (h->q_head + 1) % h->q_cap;
        h->q_len--;
    }
    pthread_mutex_unlock(&h->mu);
    *tokens_used = used;
    return n;
}

EBR_API int32_t ebr_error(ebr_engine *h, int64_t req_id, char *buf, int32_t cap) {
    int32_t i, rc = EBR_ERR_NOT_FOUND;
    if (h == NULL) {
        return EBR_ERR_INVALID_ARGUMENT;
    }
    if (req_id == 0) {
        return ebr_common_copy_cstr("", buf, cap);
    }
    pthread_mutex_lock(&h->mu);
    for (i = 0; i < h->n_reqs; i++) {
        if (h->reqs[i].id == req_id && h->reqs[i].error != NULL) {
            rc = ebr_common_copy_cstr(h->reqs[i].error, buf, cap);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

EBR_API int32_t ebr_iter_stats_json(ebr_engine *h, char *buf, int32_t cap) {
    char text[160];
    int32_t rc;
    if (h == NULL) {
        return EBR_ERR_INVALID_ARGUMENT;
    }
    pthread_mutex_lock(&h->mu);
    if (h->stats != NULL) {
        rc = ebr_common_copy_cstr(h->stats, buf, cap);
    } else {
        snprintf(text, sizeof text, "{\"backend\":\"scripted\",\"enqueued\":%lld,\"polls\":%lld}",
                 (long long) h->enqueued, (long long) h->polls);
        rc = ebr_common_copy_cstr(text, buf, cap);
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

EBR_API int64_t ebr_now_ns(void) { return ebr_common_now_ns(); }

EBR_API int32_t ebr_destroy(ebr_engine **handle) {
    if (handle == NULL || *handle == NULL) {
        return EBR_OK;
    }
    free_engine(*handle);
    *handle = NULL;
    return EBR_OK;
}
