/* The token llama.cpp's greedy sampler picks, without its candidate array.
 *
 * llama_sampler_sample(greedy) fills a llama_token_data array of the whole vocabulary (12 bytes a
 * token: 1.5 MB for 128k tokens) and then scans it with a loop-carried dependency; at every
 * decode step, for every sequence. This reads the logits once per pass instead, in independent
 * lanes a compiler vectorizes. Same answer on every input, NaN included: the first index whose
 * logit no later one exceeds; index 0 when logit 0 is NaN (nothing compares above it there).
 * C99 and C++; header-only, so the C tests check it against llama.cpp's own sampler. */
#ifndef EBR_ARGMAX_H
#define EBR_ARGMAX_H

#include <stdint.h>

#define EBR_ARGMAX_LANES 16

static inline int32_t ebr_first_argmax(const float *x, int32_t n) {
    float m, lane[EBR_ARGMAX_LANES];
    int32_t i, j, k;
    if (n <= 0) return 0;
    m = x[0];
    if (m != m) return 0;
    for (k = 0; k < EBR_ARGMAX_LANES; k++) lane[k] = m;
    for (i = 1; i + EBR_ARGMAX_LANES <= n; i += EBR_ARGMAX_LANES) {
        for (k = 0; k < EBR_ARGMAX_LANES; k++) lane[k] = x[i + k] > lane[k] ? x[i + k] : lane[k];
    }
    for (; i < n; i++) m = x[i] > m ? x[i] : m;
    for (k = 0; k < EBR_ARGMAX_LANES; k++) m = lane[k] > m ? lane[k] : m;
    for (j = 0; j < n; j++) {
        if (x[j] == m) return j;
    }
    return 0;
}

#endif
