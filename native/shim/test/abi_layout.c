/* Compiled as C11 and as C++17 by native/shim/check-abi.sh: the header must build pedantically
 * in both languages and keep the struct layout that the committed Java bindings assume. */
#include "../edgebench_request.h"

#include <stddef.h>

#ifdef __cplusplus
#define EBR_STATIC_ASSERT static_assert
#else
#define EBR_STATIC_ASSERT _Static_assert
#endif

EBR_STATIC_ASSERT(sizeof(ebr_config) == 92, "ebr_config size");
EBR_STATIC_ASSERT(offsetof(ebr_config, kv_free_gpu_mem_fraction) == 88, "ebr_config tail");
EBR_STATIC_ASSERT(sizeof(ebr_request) == 64, "ebr_request size");
EBR_STATIC_ASSERT(offsetof(ebr_request, tokens) == 8, "ebr_request.tokens");
EBR_STATIC_ASSERT(offsetof(ebr_request, client_tag) == 16, "ebr_request.client_tag");
EBR_STATIC_ASSERT(offsetof(ebr_request, max_new_tokens) == 32, "ebr_request.max_new_tokens");
EBR_STATIC_ASSERT(offsetof(ebr_request, top_p) == 60, "ebr_request.top_p");
EBR_STATIC_ASSERT(sizeof(ebr_event) == 88, "ebr_event size");
EBR_STATIC_ASSERT(offsetof(ebr_event, last_tok_ns) == 48, "ebr_event.last_tok_ns");
EBR_STATIC_ASSERT(offsetof(ebr_event, tok_off) == 56, "ebr_event.tok_off");
EBR_STATIC_ASSERT(offsetof(ebr_event, padding) == 84, "ebr_event.padding");

/* every entry point, taken by address, with the exact signature the header promises */
typedef int32_t (*abi_version_fn)(void);
typedef int64_t (*enqueue_fn)(ebr_engine *, const ebr_request *, char *, int32_t);
typedef int32_t (*poll_fn)(ebr_engine *, int32_t, ebr_event *, int32_t, int32_t *, int32_t, int32_t *);
typedef int32_t (*destroy_fn)(ebr_engine **);

int ebr_abi_layout_check(void);
int ebr_abi_layout_check(void) {
    abi_version_fn v = ebr_abi_version;
    enqueue_fn e = ebr_enqueue;
    poll_fn p = ebr_poll;
    destroy_fn d = ebr_destroy;
    return (v != 0) + (e != 0) + (p != 0) + (d != 0) + EBR_FINISH_UNKNOWN + EBR_ABI_VERSION;
}
