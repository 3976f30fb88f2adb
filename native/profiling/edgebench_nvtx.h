/*
 * edgebench_nvtx.h: NVTX ranges for edgebench's phases, callable from the JVM.
 *
 * NVTX 3 is a header-only C API; a JVM cannot call a header, so this tiny library wraps the few
 * calls edgebench makes. Ranges go to the NVTX domain "edgebench" with one registered string and
 * colour per phase, so Nsight Systems shows load, warm-up, each prefill and each decode step on
 * the timeline and Nsight Compute can filter kernels by them:
 *
 *   ncu --nvtx --nvtx-include "edgebench@decode/" ...
 *
 * Phase ranges are never nested in one another, so such a filter matches them wherever they are;
 * other moments (the start and end of a measured stretch) are instant markers (ebn_mark).
 *
 * Without a profiler attached (no NVTX_INJECTION64_PATH), every call is a few loads and a branch.
 * Threading: ranges are per thread (push/pop stack), as in NVTX. No call allocates after
 * ebn_init, and no call fails; strings passed in are copied by NVTX before the call returns.
 */
#ifndef EDGEBENCH_NVTX_H
#define EDGEBENCH_NVTX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this header; bump on any change of the functions or constants below. */
#define EBN_ABI_VERSION 1

/* Phases with a fixed, registered range name (see ebn_phase_name). */
#define EBN_PHASE_LOAD 0    /* "load": model and context creation */
#define EBN_PHASE_WARMUP 1  /* "warmup": the untimed warm-up of a session */
#define EBN_PHASE_PREFILL 2 /* "prefill": one prompt prefill, to its synchronize */
#define EBN_PHASE_DECODE 3  /* "decode": one decode step, to its synchronize */
#define EBN_PHASE_KERNEL 4  /* "kernel": one timed kernel-benchmark graph compute */
#define EBN_PHASE_COUNT 5

/** @return EBN_ABI_VERSION of the library as built */
int32_t ebn_abi_version(void);

/** Creates the "edgebench" domain and registers the phase names; idempotent. @return 0 */
int32_t ebn_init(void);

/** @return the range name of a phase ("decode"), or "?" for a phase out of range; static storage */
const char *ebn_phase_name(int32_t phase);

/** Opens a range of a phase on the calling thread (nested in any open range). */
void ebn_range_push(int32_t phase);

/** Opens a range with a free name (e.g. a kernel benchmark's op); the name is copied. */
void ebn_range_push_named(const char *name);

/** Closes the innermost range opened by the calling thread. */
void ebn_range_pop(void);

/** Puts an instant marker with a free message on the timeline; the message is copied. */
void ebn_mark(const char *message);

#ifdef __cplusplus
}
#endif
#endif
