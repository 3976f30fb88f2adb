/* The token llama.cpp's greedy sampler picks, without its candidate array.
 *
 * llama_sampler_sample(greedy) fills a llama_token_data array of the whole vocabulary (12 bytes a
 * token: 1.5 MB for 128k tokens) and then scans it with a loop-carried dependency; at every
 * decode step, for every sequence. This reads the logits once: the largest value of each block of
 * 64 (SSE2 on x86-64, NEON on AArch64, four independent lanes otherwise), remembering the first
 * block whose largest value beats every earlier one, then the first index of that value inside
 * it. Same answer on every input, NaN included: the first index whose logit no later one exceeds
 * (NaNs never win); index 0 when logit 0 is NaN (nothing compares above it there).
 * C99 and C++; header-only, so the C tests check it against llama.cpp's own sampler. */
#ifndef EBR_ARGMAX_H
#define EBR_ARGMAX_H

#include <math.h>
#include <stdint.h>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define EBR_ARGMAX_SSE2 1
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define EBR_ARGMAX_NEON 1
#endif

#define EBR_ARGMAX_BLOCK 64

/* The largest value of x[0..EBR_ARGMAX_BLOCK), NaNs skipped; -inf when there is none. */
static inline float ebr_argmax_block_max_(const float *x) {
    int32_t i;
#if defined(EBR_ARGMAX_SSE2)
    /* _mm_max_ps(v, a) is v > a ? v : a, so a NaN in v leaves the lane as it was */
    __m128 a0 = _mm_set1_ps(-INFINITY), a1 = a0, a2 = a0, a3 = a0;
    for (i = 0; i < EBR_ARGMAX_BLOCK; i += 16) {
        a0 = _mm_max_ps(_mm_loadu_ps(x + i), a0);
        a1 = _mm_max_ps(_mm_loadu_ps(x + i + 4), a1);
        a2 = _mm_max_ps(_mm_loadu_ps(x + i + 8), a2);
        a3 = _mm_max_ps(_mm_loadu_ps(x + i + 12), a3);
    }
    a0 = _mm_max_ps(_mm_max_ps(a0, a1), _mm_max_ps(a2, a3));
    a0 = _mm_max_ps(a0, _mm_shuffle_ps(a0, a0, _MM_SHUFFLE(1, 0, 3, 2)));
    a0 = _mm_max_ps(a0, _mm_shuffle_ps(a0, a0, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtss_f32(a0);
#elif defined(EBR_ARGMAX_NEON)
    /* maxNum: a NaN operand gives the other one */
    float32x4_t a0 = vdupq_n_f32(-INFINITY), a1 = a0, a2 = a0, a3 = a0;
    for (i = 0; i < EBR_ARGMAX_BLOCK; i += 16) {
        a0 = vmaxnmq_f32(vld1q_f32(x + i), a0);
        a1 = vmaxnmq_f32(vld1q_f32(x + i + 4), a1);
        a2 = vmaxnmq_f32(vld1q_f32(x + i + 8), a2);
        a3 = vmaxnmq_f32(vld1q_f32(x + i + 12), a3);
    }
    return vmaxnmvq_f32(vmaxnmq_f32(vmaxnmq_f32(a0, a1), vmaxnmq_f32(a2, a3)));
#else
    float a[4];
    int32_t k;
    for (k = 0; k < 4; k++) a[k] = -INFINITY;
    for (i = 0; i < EBR_ARGMAX_BLOCK; i += 4) {
        for (k = 0; k < 4; k++) a[k] = x[i + k] > a[k] ? x[i + k] : a[k];
    }
    a[0] = a[1] > a[0] ? a[1] : a[0];
    a[2] = a[3] > a[2] ? a[3] : a[2];
    return a[2] > a[0] ? a[2] : a[0];
#endif
}

static inline int32_t ebr_first_argmax(const float *x, int32_t n) {
    float m, b;
    int32_t i, from = 0;
    if (n <= 0) return 0;
    m = x[0];
    if (m != m) return 0;
    /* m only grows, and only on a strictly larger value: `from` is where its first copy can be */
    for (i = 0; i + EBR_ARGMAX_BLOCK <= n; i += EBR_ARGMAX_BLOCK) {
        b = ebr_argmax_block_max_(x + i);
        if (b > m) {
            m = b;
            from = i;
        }
    }
    for (; i < n; i++) {
        if (x[i] > m) {
            m = x[i];
            from = i;
        }
    }
    for (i = from; i < n; i++) {
        if (x[i] == m) return i;
    }
    return 0;
}

#endif
