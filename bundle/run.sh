#!/usr/bin/env bash
# edgebench offline bundle: builds the engine for this machine, then runs a preset.
# Needs no network and no JDK: cmake and a C/C++ compiler (plus the CUDA toolkit for GPU profiles).
#
#   ./run.sh [--profile auto|cpu|cuda|jetson-orin|jetson-thor] [--cuda-arch N] [--build-only] [run options]
#
# Run options are edgebench's (./run.sh --help-run lists them), e.g. --preset seed-2026 --model Llama-3.2-1B:Q4_0.
# Results go to ./results/runs/<run-id>/; models are forged into ./models (EDGEBENCH_MODELS moves them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
java="$here/runtime/bin/java"
profile=auto
build_only=0
args=()
die() { echo "run.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) [ $# -ge 2 ] || die "--profile needs a value"; profile=$2; shift 2;;
    --cuda-arch) [ $# -ge 2 ] || die "--cuda-arch needs a value"; export CUDA_ARCH=$2; shift 2;;
    --build-only) build_only=1; shift;;
    --help-run) exec "$java" -jar "$here/benchmarks.jar" run --help;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    *) args+=("$1"); shift;;
  esac
done
[ -x "$java" ] || die "the bundled Java runtime is missing ($java); unpack the whole bundle"
command -v cmake >/dev/null || die "cmake is not installed; it is needed to build the engine here"
command -v c++ >/dev/null || command -v g++ >/dev/null || die "no C++ compiler (c++/g++) is installed"

gpu_names=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null || true)
if [ "$profile" = auto ]; then
  if [ "$(uname -m)" = aarch64 ] && [ -f /etc/nv_tegra_release ]; then
    case "$(head -1 /etc/nv_tegra_release)" in
      *R38*|*R39*) profile=jetson-thor;;
      *) profile=jetson-orin;;
    esac
  elif [ -n "$gpu_names" ] && command -v nvcc >/dev/null 2>&1; then
    profile=cuda
  else
    profile=cpu
  fi
  echo "run.sh: profile $profile${gpu_names:+ (GPU: $(echo "$gpu_names" | paste -sd,))}" >&2
fi

# Everything a GPU build needs is checked before the long build starts.
case "$profile" in
  cuda|jetson-orin|jetson-thor)
    nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
    [ -x "$nvcc" ] || die "profile $profile needs the CUDA toolkit (nvcc), which is not installed here; install it or use --profile cpu"
    export PATH="$(dirname "$nvcc"):$PATH"
    toolkit=$("$nvcc" --version | sed -n 's/.*release \([0-9]*\.[0-9]*\).*/\1/p')
    if [ "$profile" = cuda ] && [ -z "$gpu_names" ] && [ -z "${CUDA_ARCH:-}" ]; then
      die "no NVIDIA GPU found (nvidia-smi lists none): a CUDA build needs one to choose its architecture and to run. Use --profile cpu, or --cuda-arch N --build-only to build without running"
    fi
    if [ -n "$gpu_names" ]; then
      driver_cuda=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9]*\.[0-9]*\).*/\1/p' | head -1)
      if [ -n "$driver_cuda" ] && [ -n "$toolkit" ]; then
        if [ "$(printf '%s\n%s\n' "$toolkit" "$driver_cuda" | sort -V | head -1)" != "$toolkit" ] &&
           [ "${toolkit%%.*}" != "${driver_cuda%%.*}" ]; then
          die "the driver supports CUDA up to $driver_cuda but the toolkit is $toolkit: programs it builds would not run. Update the driver or use a CUDA $driver_cuda toolkit"
        fi
      fi
    fi;;
  cpu) ;;
  *) die "unknown profile '$profile' (auto, cpu, cuda, jetson-orin, jetson-thor)";;
esac

src="$here/native/src/llama.cpp"
if [ ! -f "$src/.edgebench-source" ]; then
  echo "run.sh: unpacking the engine source" >&2
  mkdir -p "$here/native/src"
  tar -xJf "$here/native/llama.cpp-src.tar.xz" -C "$here/native/src"
fi
export LLAMA_CPP_SRC="$src"
"$here/native/build.sh" "$profile"
[ "$build_only" = 1 ] && exit 0

export EDGEBENCH_MODELS="${EDGEBENCH_MODELS:-$here/models}"
exec "$java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dedgebench.home="$here" -Dedgebench.profile="$profile" \
  -jar "$here/benchmarks.jar" run "${args[@]}"
