/* The NVTX 3 implementation of edgebench_nvtx.h (see there). */
#include "edgebench_nvtx.h"

#include <nvtx3/nvToolsExt.h>
#include <string.h>

#define EBN_API __attribute__((visibility("default")))

static const char *const phase_names[EBN_PHASE_COUNT] = {"load", "warmup", "prefill", "decode", "kernel"};
/* ARGB: one colour per phase, so the timeline reads at a glance */
static const uint32_t phase_colours[EBN_PHASE_COUNT] = {0xff7f7f7f, 0xffbcbd22, 0xff1f77b4, 0xff2ca02c, 0xffd62728};

static nvtxDomainHandle_t domain;
static nvtxStringHandle_t phase_strings[EBN_PHASE_COUNT];
static int initialised;

/* zeroed, versioned attributes (memset: the same in C and C++, with no missing-initializer warnings) */
static void attributes(nvtxEventAttributes_t *a) {
    memset(a, 0, sizeof *a);
    a->version = NVTX_VERSION;
    a->size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
}

EBN_API int32_t ebn_abi_version(void) { return EBN_ABI_VERSION; }

EBN_API int32_t ebn_init(void) {
    /* called once from the JVM's loader before any range; a second call changes nothing */
    if (initialised) {
        return 0;
    }
    domain = nvtxDomainCreateA("edgebench");
    for (int i = 0; i < EBN_PHASE_COUNT; i++) {
        phase_strings[i] = nvtxDomainRegisterStringA(domain, phase_names[i]);
    }
    initialised = 1;
    return 0;
}

EBN_API const char *ebn_phase_name(int32_t phase) {
    return phase >= 0 && phase < EBN_PHASE_COUNT ? phase_names[phase] : "?";
}

EBN_API void ebn_range_push(int32_t phase) {
    nvtxEventAttributes_t a;
    attributes(&a);
    if (phase >= 0 && phase < EBN_PHASE_COUNT) {
        a.colorType = NVTX_COLOR_ARGB;
        a.color = phase_colours[phase];
        a.messageType = NVTX_MESSAGE_TYPE_REGISTERED;
        a.message.registered = phase_strings[phase];
    } else {
        a.messageType = NVTX_MESSAGE_TYPE_ASCII;
        a.message.ascii = "?";
    }
    nvtxDomainRangePushEx(domain, &a);
}

EBN_API void ebn_range_push_named(const char *name) {
    nvtxEventAttributes_t a;
    attributes(&a);
    a.colorType = NVTX_COLOR_ARGB;
    a.color = phase_colours[EBN_PHASE_KERNEL];
    a.messageType = NVTX_MESSAGE_TYPE_ASCII;
    a.message.ascii = name != 0 ? name : "?";
    nvtxDomainRangePushEx(domain, &a);
}

EBN_API void ebn_range_pop(void) { nvtxDomainRangePop(domain); }

EBN_API void ebn_mark(const char *message) {
    nvtxEventAttributes_t a;
    attributes(&a);
    a.messageType = NVTX_MESSAGE_TYPE_ASCII;
    a.message.ascii = message != 0 ? message : "";
    nvtxDomainMarkEx(domain, &a);
}
