/*
 * ebr_log.h: a log gate for llama.cpp and ggml, exported by libedgebench_request_llama.
 *
 * llama.cpp formats every log line before it calls the callback, debug lines included, and
 * ggml's CUDA backend writes one debug line on every decode step that reuses a CUDA graph. A
 * callback in Java makes each of those lines a native-to-Java upcall inside the timed step.
 * The gate is a callback in C that drops lines below a level and hands the rest to a sink (the
 * Java upcall): llama_log_set(ebr_log_gate, &config) with config alive as long as the process.
 *
 * Java does not call the gate, it passes its address; so this header is not bound by jextract.
 * stdint only, as edgebench_request.h.
 */
#ifndef EBR_LOG_H
#define EBR_LOG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define EBR_LOG_API __attribute__((visibility("default")))
#else
#define EBR_LOG_API
#endif

/** Where lines that pass go: ggml_log_callback's shape (the level is ggml's enum, an int). */
typedef void (*ebr_log_sink)(int32_t level, const char *text, void *user_data);

/** The gate's settings, the user_data given to llama_log_set together with ebr_log_gate. */
typedef struct ebr_log_gate_config {
    int64_t size;           /* sizeof(ebr_log_gate_config) */
    ebr_log_sink sink;      /* receives every line at or above min_level (user_data NULL) */
    int32_t min_level;      /* ggml_log_level: lines below it are dropped */
    int32_t cont_level;     /* GGML_LOG_LEVEL_CONT: a line continuing the previous one, judged by its level */
} ebr_log_gate_config;

/**
 * A ggml_log_callback: passes the line to config->sink when its level (for a continuation, the
 * level of the line it continues) is at least config->min_level; drops it otherwise, and drops
 * everything when config is NULL or of another size. Never blocks; safe from any thread.
 */
EBR_LOG_API void ebr_log_gate(int32_t level, const char *text, void *config);

#ifdef __cplusplus
}
#endif

#endif
