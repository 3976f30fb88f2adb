# Profile cpu: the CPU backend alone, built for an explicit instruction-set level
# (build.sh passes the level's flags; see CPU_ISA there). Never GGML_NATIVE: a host-tuned
# build on a CPU that reports AMX crashes in the AMX matmul path.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
set(GGML_CUDA OFF CACHE BOOL "")
