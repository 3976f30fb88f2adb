/*
 * Prints the AArch64 features this process may use, as the kernel (or a user-mode emulator such
 * as qemu-aarch64) reports them in the auxiliary vector, and the SVE vector length: what a CPU
 * model given to the emulator really exposes to the engine (ggml reads the same bits).
 */
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/prctl.h>

#ifndef PR_SVE_GET_VL
#define PR_SVE_GET_VL 51
#endif

/* Linux arch/arm64/include/uapi/asm/hwcap.h; older C libraries lack some of these names */
#ifndef HWCAP_FPHP
#define HWCAP_FPHP (1UL << 9)
#endif
#ifndef HWCAP_ASIMDHP
#define HWCAP_ASIMDHP (1UL << 10)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)
#endif
#ifndef HWCAP_SVE
#define HWCAP_SVE (1UL << 22)
#endif
#ifndef HWCAP2_SVE2
#define HWCAP2_SVE2 (1UL << 1)
#endif
#ifndef HWCAP2_SVEI8MM
#define HWCAP2_SVEI8MM (1UL << 9)
#endif
#ifndef HWCAP2_SVEBF16
#define HWCAP2_SVEBF16 (1UL << 12)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1UL << 13)
#endif
#ifndef HWCAP2_BF16
#define HWCAP2_BF16 (1UL << 14)
#endif
#ifndef HWCAP2_SME
#define HWCAP2_SME (1UL << 23)
#endif

int main(void) {
    unsigned long h = getauxval(AT_HWCAP);
    unsigned long h2 = getauxval(AT_HWCAP2);
    printf("fp16=%d dotprod=%d sve=%d sve2=%d i8mm=%d bf16=%d svei8mm=%d svebf16=%d sme=%d",
           (h & HWCAP_FPHP) && (h & HWCAP_ASIMDHP), !!(h & HWCAP_ASIMDDP), !!(h & HWCAP_SVE), !!(h2 & HWCAP2_SVE2),
           !!(h2 & HWCAP2_I8MM), !!(h2 & HWCAP2_BF16), !!(h2 & HWCAP2_SVEI8MM), !!(h2 & HWCAP2_SVEBF16), !!(h2 & HWCAP2_SME));
    if (h & HWCAP_SVE) {
        int vl = prctl(PR_SVE_GET_VL);
        printf(" sve_vector_bits=%d", vl < 0 ? -1 : (vl & 0xffff) * 8);
    }
    printf("\n");
    return 0;
}
