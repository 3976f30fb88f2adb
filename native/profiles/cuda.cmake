# Profile cuda: CPU + CUDA backends on x86-64 or aarch64 with CUDA 12.x/13.x.
# CMAKE_CUDA_ARCHITECTURES comes from CUDA_ARCH (build.sh; default: the GPU present).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
set(GGML_CUDA ON CACHE BOOL "")
set(GGML_CUDA_GRAPHS ON CACHE BOOL "")
