# Profile jetson-thor: Jetson AGX Thor, JetPack 7, CUDA 13, sm_110.
# CPU: Neoverse V3AE (Armv9.2-A: SVE2, int8 matrix multiply, BF16).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
set(GGML_CUDA ON CACHE BOOL "")
set(GGML_CUDA_GRAPHS ON CACHE BOOL "")
set(CMAKE_CUDA_ARCHITECTURES 110 CACHE STRING "")
set(GGML_CPU_ARM_ARCH "armv9-a+i8mm+bf16" CACHE STRING "")
