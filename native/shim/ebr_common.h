/*
 * Helpers shared by the implementations of edgebench_request.h (internal: not installed, not
 * bound). Plain C so the C test double and the C++ engines share one copy.
 */
#ifndef EBR_COMMON_H
#define EBR_COMMON_H

#include "edgebench_request.h"

#include <string.h>
#include <time.h>

/* CLOCK_MONOTONIC: the clock of steady_clock (libstdc++, libc++) and of System.nanoTime. */
static inline int64_t ebr_common_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + (int64_t) ts.tv_nsec;
}

/* Copies len bytes of text into buf (truncated, NUL-terminated when cap > 0); returns len. */
static inline int32_t ebr_common_copy_text(const char *text, int32_t len, char *buf, int32_t cap) {
    if (buf != NULL && cap > 0) {
        int32_t n = len < cap - 1 ? len : cap - 1;
        if (n > 0) {
            memcpy(buf, text, (size_t) n);
        }
        buf[n] = '\0';
    }
    return len;
}

static inline int32_t ebr_common_copy_cstr(const char *text, char *buf, int32_t cap) {
    size_t len = strlen(text);
    return ebr_common_copy_text(text, (int32_t) (len > 0x7fffffff ? 0x7fffffff : len), buf, cap);
}

static inline void ebr_common_config_defaults(ebr_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->size = (uint32_t) sizeof *cfg;
    cfg->n_gpu_layers = -1;
    cfg->flash_attn = -1;
    cfg->type_k = -1;
    cfg->type_v = -1;
    cfg->use_mmap = -1;
    cfg->kv_unified = -1;
    cfg->return_perf_metrics = 1;
}

static inline void ebr_common_request_defaults(ebr_request *req) {
    memset(req, 0, sizeof *req);
    req->size = (uint32_t) sizeof *req;
    req->max_new_tokens = 16;
    req->streaming = 1;
    req->end_id = EBR_TOKEN_NONE;
    req->pad_id = EBR_TOKEN_NONE;
}

/*
 * Reads a caller's struct of any known size into a full-size copy: fields beyond the caller's
 * size keep the defaults already in *dst. Returns EBR_OK or EBR_ERR_STRUCT_SIZE.
 */
static inline int32_t ebr_common_read_sized(void *dst, const void *src, uint32_t own_size) {
    uint32_t size;
    memcpy(&size, src, sizeof size);
    if (size < sizeof(uint32_t) || size > own_size) {
        return EBR_ERR_STRUCT_SIZE;
    }
    memcpy(dst, src, size);
    memcpy(dst, &own_size, sizeof own_size);
    return EBR_OK;
}

#endif /* EBR_COMMON_H */
