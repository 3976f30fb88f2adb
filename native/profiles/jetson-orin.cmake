# Profile jetson-orin: AGX Orin / Orin NX / Orin Nano, JetPack 6.1, CUDA 12.6, sm_87.
# CPU: Cortex-A78AE (Armv8.2-A with dot product and FP16 arithmetic).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
set(GGML_CUDA ON CACHE BOOL "")
set(GGML_CUDA_GRAPHS ON CACHE BOOL "")
set(CMAKE_CUDA_ARCHITECTURES 87 CACHE STRING "")
set(GGML_CPU_ARM_ARCH "armv8.2-a+dotprod+fp16" CACHE STRING "")
