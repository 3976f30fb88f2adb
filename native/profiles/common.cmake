# Settings shared by every profile: shared libraries for the JVM to load, nothing fetched
# at build time, no host-specific code generation.
set(CMAKE_BUILD_TYPE Release CACHE STRING "")
set(BUILD_SHARED_LIBS ON CACHE BOOL "")
set(GGML_NATIVE OFF CACHE BOOL "")
set(GGML_BACKEND_DL OFF CACHE BOOL "")
set(GGML_OPENMP ON CACHE BOOL "")
set(LLAMA_OPENSSL OFF CACHE BOOL "")
set(LLAMA_BUILD_COMMON ON CACHE BOOL "")
set(LLAMA_BUILD_TOOLS ON CACHE BOOL "")
set(LLAMA_BUILD_EXAMPLES ON CACHE BOOL "")
set(LLAMA_BUILD_TESTS ON CACHE BOOL "")
# llama-server, without its web UI: with LLAMA_BUILD_UI and LLAMA_USE_PREBUILT_UI off (no npm, no
# download), scripts/ui-assets.cmake embeds an empty asset table and the server serves the API
# alone. It needs only tools/ui's CMake files and templates, which the bundle's source archive keeps.
set(LLAMA_BUILD_SERVER ON CACHE BOOL "")
set(LLAMA_BUILD_APP OFF CACHE BOOL "")
set(LLAMA_BUILD_UI OFF CACHE BOOL "")
set(LLAMA_USE_PREBUILT_UI OFF CACHE BOOL "")
set(LLAMA_ALL_WARNINGS OFF CACHE BOOL "")
# Libraries and tools find each other wherever the build folder is copied to (lib/, bin/,
# an offline bundle): RUNPATH is relative to the binary itself.
set(CMAKE_BUILD_RPATH_USE_ORIGIN ON CACHE BOOL "")
set(CMAKE_BUILD_RPATH "\$ORIGIN;\$ORIGIN/../lib" CACHE STRING "")
