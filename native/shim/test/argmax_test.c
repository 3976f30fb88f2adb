/* ebr_first_argmax on each of its paths against llama.cpp's greedy rule written out (the first
 * index i such that no later logit compares greater: selected = 0; x[i] > x[selected] moves it).
 * native/shim/test.sh builds it three times: as the host compiles it (SSE2 on x86-64), without
 * SSE2 (the portable lanes), and for AArch64 (NEON, run under qemu) where a cross compiler and
 * qemu-aarch64-static are installed. 300,000 drawn vectors of 1..300 entries and of 128,256+
 * (ties, NaN, infinities, signed zeros, all -inf). greedy_test.c checks the host path against
 * llama.cpp's own sampler. Prints "argmax_test (<path>): N vectors, 0 differences". */
#include "../ebr_argmax.h"

#include <stdio.h>

static unsigned long long rng = 88172645463325252ull;
static unsigned next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (unsigned) (rng >> 11); }

static float draw(int mode) {
    unsigned r = next() % 200;
    if (r == 0) return NAN;
    if (r == 1) return INFINITY;
    if (r == 2) return -INFINITY;
    if (r == 3) return -0.0f;
    if (r == 4) return 0.0f;
    if (mode == 0) return (float) (next() % 5);
    return ldexpf((float) ((int) (next() % 2001) - 1000), -(int) (next() % 6));
}

int main(void) {
    static float x[128256 + 128];
    const char *path =
#if defined(EBR_ARGMAX_SSE2)
        "SSE2";
#elif defined(EBR_ARGMAX_NEON)
        "NEON";
#else
        "portable";
#endif
    int t, i, n, differences = 0;
    for (t = 0; t < 300000; t++) {
        int32_t ref = 0, got;
        n = t % 1000 == 0 ? 128256 + (int) (next() % 100) : 1 + (int) (next() % 300);
        for (i = 0; i < n; i++) x[i] = draw(t & 1);
        if (next() % 7 == 0) {
            for (i = 0; i < n; i++) x[i] = -INFINITY;
        }
        if (next() % 11 == 0) x[next() % (unsigned) n] = NAN;
        for (i = 1; i < n; i++) {
            if (x[i] > x[ref]) ref = i;
        }
        got = ebr_first_argmax(x, n);
        if (got != ref && differences++ < 5) fprintf(stderr, "FAIL: %d entries: llama's rule %d, ebr_first_argmax %d\n", n, ref, got);
    }
    printf("argmax_test (%s): %d vectors, %d differences\n", path, t, differences);
    return differences != 0;
}
