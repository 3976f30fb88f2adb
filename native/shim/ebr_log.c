/* ebr_log.c: the log gate of ebr_log.h. Compiles as C11 and as C++17. */
#include "ebr_log.h"

#include <stddef.h>

/* the level of the last line that was not a continuation (relaxed: a hint, as in ggml's own logger) */
static int32_t ebr_log_last_level;

void ebr_log_gate(int32_t level, const char *text, void *config) {
    const ebr_log_gate_config *c = (const ebr_log_gate_config *) config;
    if (c == NULL || c->size != (int64_t) sizeof(ebr_log_gate_config) || c->sink == NULL) {
        return;
    }
    int32_t effective = level;
    if (level == c->cont_level) {
        effective = __atomic_load_n(&ebr_log_last_level, __ATOMIC_RELAXED);
    } else {
        __atomic_store_n(&ebr_log_last_level, level, __ATOMIC_RELAXED);
    }
    if (effective < c->min_level) {
        return;
    }
    c->sink(level, text, NULL);
}
