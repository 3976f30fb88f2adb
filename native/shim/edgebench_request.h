/*
 * edgebench_request.h: one plain-C ABI for request engines (engines that take a whole
 * request and stream tokens back while batching requests in flight).
 *
 * Implementations (each its own shared library exporting exactly these symbols):
 *   libedgebench_request_llama.so     llama.cpp (llama.h) with an in-flight batching scheduler
 *   libedgebench_request_trtllm.so    the TensorRT-LLM executor (pins v0.12.0-jetson and v1.2.1)
 *   libedgebench_request_scripted.so  a test double replaying a script (tests only)
 *
 * Conventions
 *   - stdint types only: no bool, enum or size_t in signatures or structs; flags are int32_t
 *     (0 = false, anything else = true).
 *   - Every struct starts with `uint32_t size`, which the caller sets to sizeof(struct) (use
 *     ebr_config_init / ebr_request_init): a library accepts any size up to its own and treats
 *     fields beyond the caller's size as defaults, so fields can be added at the end.
 *   - Functions return EBR_OK (0) or a non-negative count on success and a negative EBR_ERR_*
 *     code on failure. No C++ exception crosses this boundary; no function calls back into the
 *     caller. Texts are copied into caller buffers (buf, cap): the copy is truncated to cap - 1
 *     bytes and NUL-terminated when cap > 0, and the return value is the full length in bytes
 *     without the NUL, so a caller whose buffer was too small retries with return + 1 bytes.
 *   - Times are nanoseconds on one monotonic clock, the one ebr_now_ns reads
 *     (CLOCK_MONOTONIC on Linux: the clock of std::chrono::steady_clock and of Java's
 *     System.nanoTime). 0 means "the engine does not provide this time".
 *
 * Threading
 *   - ebr_create, ebr_abi_version, ebr_capabilities, ebr_backend_version, ebr_now_ns,
 *     ebr_config_init and ebr_request_init may be called from any thread at any time.
 *   - On one handle, ebr_enqueue, ebr_cancel, ebr_error and ebr_iter_stats_json may be called
 *     from any thread, concurrently with each other and with ebr_poll.
 *   - ebr_poll must be called from one thread at a time (one polling thread per handle).
 *   - ebr_destroy must not run concurrently with any other call on the same handle.
 *
 * Ownership
 *   - ebr_create hands the caller one ebr_engine; ebr_destroy releases it and everything the
 *     engine owns. Nothing else returns memory the caller must free.
 *   - Pointers passed in (paths, configs, requests, token arrays, buffers) are borrowed for
 *     the duration of the call only; the library copies what it keeps.
 */
#ifndef EDGEBENCH_REQUEST_H
#define EDGEBENCH_REQUEST_H

#include <stdint.h>

#ifdef __cplusplus
#define EBR_NOEXCEPT noexcept
extern "C" {
#else
#define EBR_NOEXCEPT
#endif

#if defined(__GNUC__) || defined(__clang__)
#define EBR_API __attribute__((visibility("default")))
#else
#define EBR_API
#endif

/* The ABI described by this header. A library built from another version returns another
 * value from ebr_abi_version; callers must refuse it. */
#define EBR_ABI_VERSION 1

/* ---- return codes (negative) ---------------------------------------------------------- */
#define EBR_OK 0
/* an argument is NULL, out of range or inconsistent; the err buffer (when given) says which */
#define EBR_ERR_INVALID_ARGUMENT -1
/* a struct's size field is 0 or larger than this library knows */
#define EBR_ERR_STRUCT_SIZE -2
/* the model or engine at the given path could not be loaded (missing, not a model/engine,
 * built for another device, libraries missing); the err buffer says why */
#define EBR_ERR_LOAD -3
/* the request id is unknown, or the request has already delivered its final event */
#define EBR_ERR_NOT_FOUND -4
/* the caller's token buffer cannot hold the tokens of the next pending event; *tokens_used
 * is set to the number needed and the event stays queued */
#define EBR_ERR_BUFFER_TOO_SMALL -5
/* the request asks for something this library does not support (see capabilities) */
#define EBR_ERR_UNSUPPORTED -6
/* the engine refused the request because it is full (too many requests queued) */
#define EBR_ERR_BUSY -7
/* the engine failed as a whole (not one request); the handle can only be destroyed */
#define EBR_ERR_ENGINE -8
/* out of memory in the library */
#define EBR_ERR_NO_MEMORY -9
/* an unexpected exception was caught at the boundary; the err buffer or ebr_error(h, 0)
 * holds its text */
#define EBR_ERR_INTERNAL -10

/* ---- capability bits (ebr_capabilities) -------------------------------------------------- */
/* events carry finish reasons; without it finals report EBR_FINISH_UNKNOWN */
#define EBR_CAP_FINISH_REASONS 0x1u
/* events can carry the engine's arrival / first scheduled / first token / last token times
 * (has_perf = 1) */
#define EBR_CAP_PERF_METRICS 0x2u
/* ebr_iter_stats_json returns per-iteration statistics */
#define EBR_CAP_ITER_STATS 0x4u
/* ebr_cancel stops a running request (otherwise it returns EBR_ERR_UNSUPPORTED) */
#define EBR_CAP_CANCEL 0x8u
/* ebr_request.seed is honoured for sampled requests */
#define EBR_CAP_SEED 0x10u
/* ebr_config.use_mmap is honoured */
#define EBR_CAP_MMAP 0x20u
/* events report the engine's decoding iteration (decoding_iter) */
#define EBR_CAP_DECODING_ITER 0x40u
/* the library is a test double (never an engine to measure) */
#define EBR_CAP_TEST_DOUBLE 0x80000000u

/* ---- finish reasons (ebr_event.finish_reason; TensorRT-LLM's FinishReason values) ------- */
#define EBR_FINISH_UNKNOWN -1   /* final, but the engine does not say why */
#define EBR_FINISH_NOT_FINISHED 0
#define EBR_FINISH_END_ID 1     /* generated the request's end id */
#define EBR_FINISH_STOP_WORDS 2
#define EBR_FINISH_LENGTH 3     /* reached max_new_tokens (or the context's end) */
#define EBR_FINISH_TIMED_OUT 4
#define EBR_FINISH_CANCELLED 5  /* ebr_cancel, or the engine dropped it */

/* ebr_request.end_id / pad_id: no such token */
#define EBR_TOKEN_NONE -1

/* ---- types ------------------------------------------------------------------------------ */

/* An engine instance: opaque, owned by the caller from ebr_create to ebr_destroy. */
typedef struct ebr_engine ebr_engine;

/*
 * Engine configuration. ebr_config_init fills defaults; a field left at its default lets the
 * engine choose. Fields a library does not use are ignored (each says who reads it).
 */
typedef struct ebr_config {
    uint32_t size;                 /* sizeof(ebr_config) */
    /* llama: context and scheduler */
    int32_t n_ctx;                 /* KV cache size in tokens, all sequences together; 0 = model's */
    int32_t n_batch;               /* logical batch: most tokens per iteration; 0 = 2048 */
    int32_t n_ubatch;              /* physical batch: prompt chunk size; 0 = 512 */
    int32_t n_seq_max;             /* most requests in the running batch (slots); 0 = 1 */
    int32_t n_threads;             /* CPU threads for decoding; 0 = engine default */
    int32_t n_threads_batch;       /* CPU threads for prompt chunks; 0 = n_threads */
    int32_t n_gpu_layers;          /* layers offloaded to the GPU; -1 = all */
    int32_t flash_attn;            /* -1 auto, 0 off, 1 on */
    int32_t type_k;                /* KV cache K type (ggml_type value); -1 = engine default */
    int32_t type_v;                /* KV cache V type (ggml_type value); -1 = engine default */
    int32_t use_mmap;              /* -1 engine default, 0 off, 1 on (llama; trtllm on Jetson) */
    int32_t kv_unified;            /* llama: -1 default, 0 per-sequence KV buffers, 1 one buffer */
    int32_t max_queued;            /* requests waiting for a slot before enqueue says BUSY; 0 = 4096 */
    /* trtllm: executor */
    int32_t max_beam_width;        /* 0 = 1 */
    int32_t max_batch_size;        /* 0 = the engine's */
    int32_t max_num_tokens;        /* 0 = the engine's */
    int32_t kv_max_tokens;         /* 0 = as many as kv_free_gpu_mem_fraction allows */
    int32_t kv_enable_block_reuse; /* always applied (pins have different defaults); default 0 */
    int32_t scheduler_policy;      /* 0 guaranteed no evict, 1 max utilization */
    int32_t iter_stats_max_iterations; /* iterations kept for ebr_iter_stats_json; 0 = 1000 */
    int32_t return_perf_metrics;   /* ask the engine for per-request times (if capable); default 1 */
    float kv_free_gpu_mem_fraction;/* 0 = engine default (0.9) */
} ebr_config;

/* One request. ebr_request_init fills defaults (greedy, streaming, no end id). */
typedef struct ebr_request {
    uint32_t size;                 /* sizeof(ebr_request) */
    int32_t n_tokens;              /* prompt length, >= 1 */
    const int32_t *tokens;         /* prompt token ids (borrowed for the call) */
    uint64_t client_tag;           /* copied into every event of this request */
    uint64_t seed;                 /* sampling seed when has_seed != 0 */
    int32_t max_new_tokens;        /* tokens to generate at most, >= 1 */
    int32_t streaming;             /* 1: events as tokens arrive; 0: one final event */
    int32_t end_id;                /* stop after generating this token; EBR_TOKEN_NONE: never */
    int32_t pad_id;                /* EBR_TOKEN_NONE: engine default */
    int32_t top_k;                 /* 0 = no top-k filter; 1 = greedy */
    int32_t has_seed;              /* 0: the engine's default seed */
    float temperature;             /* <= 0: greedy (argmax) */
    float top_p;                   /* 0 or >= 1: no top-p filter */
} ebr_request;

/*
 * One event: some tokens of one request, its end, or its error. Tokens of the event are
 * tokens[tok_off .. tok_off + n_tok) of the token buffer given to the same ebr_poll call.
 * A request's events arrive in order; exactly one of them has is_final = 1 (the last).
 * A final event may carry no tokens. An error event is final, has has_error = 1 and
 * finish_reason EBR_FINISH_UNKNOWN; ebr_error(h, req_id, ...) gives its text.
 */
typedef struct ebr_event {
    int64_t req_id;                /* the id ebr_enqueue returned */
    uint64_t client_tag;           /* the request's client_tag */
    int64_t recv_ns;               /* when the library received these tokens from the engine */
    int64_t arrival_ns;            /* engine: request arrived (has_perf) or 0 */
    int64_t first_sched_ns;        /* engine: request first scheduled (has_perf) or 0 */
    int64_t first_tok_ns;          /* engine: first token produced (has_perf) or 0 */
    int64_t last_tok_ns;           /* engine: latest token produced (has_perf) or 0 */
    int32_t tok_off;               /* offset of this event's tokens in the token buffer */
    int32_t n_tok;                 /* number of tokens (0 for a token-less final or an error) */
    int32_t is_final;              /* 1 on the request's last event */
    int32_t finish_reason;         /* EBR_FINISH_*; EBR_FINISH_NOT_FINISHED unless final */
    int32_t has_error;             /* 1: the request failed (see ebr_error) */
    int32_t has_perf;              /* 1: the *_ns engine times are set */
    int32_t decoding_iter;         /* engine decoding iterations so far for this request, or 0 */
    int32_t padding;               /* 0 */
} ebr_event;

/* ---- functions ------------------------------------------------------------------------- */

/* The ABI version this library implements (EBR_ABI_VERSION of the header it was built with). */
EBR_API int32_t ebr_abi_version(void) EBR_NOEXCEPT;

/* EBR_CAP_* bits: what this library (and, for trtllm, the pin it was built against) provides. */
EBR_API uint64_t ebr_capabilities(void) EBR_NOEXCEPT;

/* Copies the backend's name and version (e.g. "llama.cpp b1234", "TensorRT-LLM 1.2.1") into
 * buf. Returns the full length. */
EBR_API int32_t ebr_backend_version(char *buf, int32_t cap) EBR_NOEXCEPT;

/* Fills *cfg with defaults and sets cfg->size. Returns EBR_OK, or EBR_ERR_INVALID_ARGUMENT for
 * NULL. */
EBR_API int32_t ebr_config_init(ebr_config *cfg) EBR_NOEXCEPT;

/* Fills *req with defaults (no tokens, max_new_tokens 16, streaming, greedy, no end id) and
 * sets req->size. Returns EBR_OK, or EBR_ERR_INVALID_ARGUMENT for NULL. */
EBR_API int32_t ebr_request_init(ebr_request *req) EBR_NOEXCEPT;

/*
 * Loads the model (llama: a GGUF file), engine (trtllm: an engine directory) or script
 * (scripted) at path and starts the engine. cfg may be NULL (defaults).
 * On success sets *out to a new engine and returns EBR_OK. On failure sets *out to NULL,
 * copies a message naming the path and the cause into err (when err != NULL and cap > 0)
 * and returns EBR_ERR_INVALID_ARGUMENT, EBR_ERR_STRUCT_SIZE, EBR_ERR_LOAD, EBR_ERR_NO_MEMORY
 * or EBR_ERR_INTERNAL.
 */
EBR_API int32_t ebr_create(const char *path, const ebr_config *cfg, ebr_engine **out,
                           char *err, int32_t cap) EBR_NOEXCEPT;

/*
 * Submits one request. Returns its id (> 0, unique for the handle's lifetime), or a negative
 * EBR_ERR_* code with a message in err: EBR_ERR_INVALID_ARGUMENT (no tokens, max_new_tokens
 * < 1, a prompt longer than the engine accepts, ...), EBR_ERR_STRUCT_SIZE, EBR_ERR_BUSY,
 * EBR_ERR_UNSUPPORTED, EBR_ERR_ENGINE, EBR_ERR_INTERNAL. A request accepted here always ends
 * in exactly one final event (tokens, cancellation or error), unless the handle is destroyed
 * first.
 */
EBR_API int64_t ebr_enqueue(ebr_engine *h, const ebr_request *req, char *err,
                            int32_t cap) EBR_NOEXCEPT;

/*
 * Asks the engine to stop request req_id. Returns EBR_OK when the request was still running
 * (its final event, finish_reason EBR_FINISH_CANCELLED where the engine reports reasons,
 * follows; tokens already produced may arrive before it), EBR_ERR_NOT_FOUND when the id is
 * unknown or already finished, EBR_ERR_UNSUPPORTED without EBR_CAP_CANCEL, EBR_ERR_INVALID_ARGUMENT
 * for a NULL handle.
 */
EBR_API int32_t ebr_cancel(ebr_engine *h, int64_t req_id) EBR_NOEXCEPT;

/*
 * Waits up to timeout_ms (0: do not wait) until at least one event is pending, then moves as
 * many pending events as fit into events[0 .. ev_cap) and their tokens into
 * tokens[0 .. tok_cap), in order; events that do not fit stay pending for the next call.
 * Sets *tokens_used to the number of tokens written. Returns the number of events written
 * (0 on timeout), or:
 *   EBR_ERR_BUFFER_TOO_SMALL  the next event alone has more tokens than tok_cap; *tokens_used
 *                             is set to its token count; nothing is consumed
 *   EBR_ERR_INVALID_ARGUMENT  NULL handle/buffers, ev_cap < 1, tok_cap < 0, timeout_ms < 0
 *   EBR_ERR_ENGINE            the engine failed as a whole (text: ebr_error(h, 0, ...))
 *   EBR_ERR_INTERNAL
 * One polling thread per handle. The library never drops an event.
 */
EBR_API int32_t ebr_poll(ebr_engine *h, int32_t timeout_ms, ebr_event *events, int32_t ev_cap,
                         int32_t *tokens, int32_t tok_cap, int32_t *tokens_used) EBR_NOEXCEPT;

/*
 * Copies the error text of request req_id (an event with has_error = 1), or with req_id 0 the
 * handle's last engine-level error, into buf. Returns the full length, 0 when there is no
 * error text, EBR_ERR_NOT_FOUND for an id that never had an error, EBR_ERR_INVALID_ARGUMENT
 * for a NULL handle. Texts are kept until ebr_destroy.
 */
EBR_API int32_t ebr_error(ebr_engine *h, int64_t req_id, char *buf, int32_t cap) EBR_NOEXCEPT;

/*
 * Copies the engine's iteration statistics as one JSON object into buf and returns its full
 * length (EBR_ERR_UNSUPPORTED without EBR_CAP_ITER_STATS). The object holds cumulative
 * counters and the iterations completed since the previous complete copy ("recent"); when the
 * previous call's buffer was too small, the same text is returned again, so a caller retrying
 * with a larger buffer loses no iteration. Keys are described by each implementation.
 */
EBR_API int32_t ebr_iter_stats_json(ebr_engine *h, char *buf, int32_t cap) EBR_NOEXCEPT;

/* The current time in nanoseconds on the clock of every *_ns field (CLOCK_MONOTONIC). */
EBR_API int64_t ebr_now_ns(void) EBR_NOEXCEPT;

/*
 * Stops the engine (requests in flight are abandoned without final events), releases
 * everything it owns and sets *handle to NULL. Safe to call again with the same handle
 * variable, and with handle or *handle NULL (no-op, EBR_OK). Returns EBR_OK, or EBR_ERR_ENGINE
 * when the engine's shutdown reported an error (resources are released all the same).
 */
EBR_API int32_t ebr_destroy(ebr_engine **handle) EBR_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* EDGEBENCH_REQUEST_H */
