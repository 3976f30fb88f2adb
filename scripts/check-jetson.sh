#!/usr/bin/env bash
# Checks the Jetson profiles as far as a non-Jetson host allows (make native-check-jetson):
#   1. cross-compiles the aarch64 CPU build with each Jetson profile's CPU flags (Debian's
#      aarch64-linux-gnu toolchain) and checks the result is AArch64 code;
#   2. compiles ggml CUDA sources of the pinned engine for sm_87 (Orin) and sm_110 (Thor) with the
#      local nvcc, compile only (these kernels cannot run here). ggml's CUDA headers include
#      cuBLAS; without cuBLAS headers (CUBLAS_INCLUDE, or the CUDA toolkit's include folder) this
#      step is reported as skipped, with the reason.
# What remains for a Jetson runner: the full CUDA build and link on the board, and running it.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
results=()
record() { results+=("$1|$2|$3"); }

# 1. cross-compiled CPU builds
if ! command -v aarch64-linux-gnu-g++ >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "check-jetson: installing Debian's aarch64 cross toolchain" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q g++-aarch64-linux-gnu gcc-aarch64-linux-gnu >/dev/null 2>&1 ||
      { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q g++-aarch64-linux-gnu gcc-aarch64-linux-gnu >/dev/null 2>&1; }
  fi
fi
for pair in jetson-orin:armv8.2 jetson-thor:armv9; do
  profile=${pair%%:*}
  isa=${pair#*:}
  name="cpu-$isa-aarch64"
  if ! command -v aarch64-linux-gnu-g++ >/dev/null 2>&1; then
    record "$profile CPU cross-build ($isa)" SKIP "no aarch64-linux-gnu-g++ (apt-get install g++-aarch64-linux-gnu)"
    continue
  fi
  start=$(date +%s)
  if CROSS=aarch64 CPU_ISA=$isa BUILD_NAME=$name TARGETS="llama ggml llama-simple llama-bench" native/build.sh cpu; then
    secs=$(( $(date +%s) - start ))
    lib=$(readlink -f "native/build/$name/lib/libllama.so")
    arch=$(file -b "$lib" | grep -o 'ARM aarch64' || true)
    flags=$(sed -n 's/.*"cpuBackendFlags": "\(.*\)",/\1/p' "native/build/$name/manifest.json" | grep -o -- '-march=[^ ]*' || true)
    if [ "$arch" = "ARM aarch64" ] && file -b "native/build/$name/bin/llama-bench" | grep -q 'ARM aarch64'; then
      record "$profile CPU cross-build ($isa)" PASS "ARM aarch64 ELF, $flags, ${secs}s, native/build/$name"
    else
      record "$profile CPU cross-build ($isa)" FAIL "unexpected architecture: $(file -b "$lib")"
    fi
  else
    record "$profile CPU cross-build ($isa)" FAIL "build failed (native/build/$name/build.log)"
  fi
done

# 2. CUDA compile-only for the Jetson architectures
src=${LLAMA_CPP_SRC:-$root/native/src/llama.cpp}
nvcc=$(command -v nvcc || true)
if [ -z "$nvcc" ]; then
  record "CUDA compile sm_87/sm_110" SKIP "no nvcc on PATH"
else
  cuda_inc="$(dirname "$(readlink -f "$(command -v nvcc)")")/../include"
  [ -f "$cuda_inc/cuda_runtime.h" ] || cuda_inc=$(dirname "$(find /usr/local/cuda* -name cuda_runtime.h 2>/dev/null | head -1)" 2>/dev/null)
  cublas_inc=${CUBLAS_INCLUDE:-}
  if [ -z "$cublas_inc" ]; then
    for d in "$cuda_inc" /usr/local/cuda/include /usr/include $(python3 -c 'import nvidia.cublas, os; print(os.path.join(list(nvidia.cublas.__path__)[0], "include"))' 2>/dev/null); do
      [ -f "$d/cublas_v2.h" ] && { cublas_inc=$d; break; }
    done
  fi
  nvcc_version=$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
  if [ -z "$cublas_inc" ]; then
    record "CUDA compile sm_87/sm_110" SKIP "nvcc $nvcc_version found, but no cuBLAS headers (ggml-cuda includes cublas_v2.h); set CUBLAS_INCLUDE"
  else
    out=$(mktemp -d)
    for arch in 87 110; do
      for f in mmvq.cu norm.cu rope.cu softmax.cu template-instances/mmq-instance-q4_0.cu template-instances/fattn-vec-instance-f16-f16.cu; do
        [ -f "$src/ggml/src/ggml-cuda/$f" ] || { record "CUDA sm_$arch $f" SKIP "not in this llama.cpp"; continue; }
        start=$(date +%s)
        if "$nvcc" -std=c++17 -O3 -c -use_fast_math -extended-lambda -Xcompiler -fPIC \
            -gencode "arch=compute_$arch,code=sm_$arch" -DGGML_USE_CUDA -DGGML_CUDA_USE_GRAPHS -DGGML_SCHED_MAX_COPIES=4 \
            -I "$src/ggml/include" -I "$src/ggml/src" -I "$src/ggml/src/ggml-cuda" -I "$cublas_inc" \
            "$src/ggml/src/ggml-cuda/$f" -o "$out/$(basename "$f").sm$arch.o" 2>"$out/err"; then
          kb=$(( $(stat -c %s "$out/$(basename "$f").sm$arch.o") / 1024 ))
          record "CUDA sm_$arch $f" PASS "nvcc $nvcc_version, ${kb} KiB object, $(( $(date +%s) - start ))s"
        else
          record "CUDA sm_$arch $f" FAIL "$(head -3 "$out/err" | tr '\n' ' ')"
        fi
      done
    done
    rm -rf "$out"
  fi
fi

echo
printf '%-52s %-5s %s\n' check result detail
fail=0
for r in "${results[@]}"; do
  IFS='|' read -r what res detail <<<"$r"
  printf '%-52s %-5s %s\n' "$what" "$res" "$detail"
  [ "$res" = FAIL ] && fail=1
done
echo
echo "Not checked here (needs a Jetson): linking ggml-cuda against JetPack's CUDA 12.6 / CUDA 13 libraries, loading the"
echo "libraries, running kernels on sm_87/sm_110, performance. Run 'make native PROFILE=jetson-orin' (or jetson-thor) and"
echo "'make test' on the board."
exit $fail
