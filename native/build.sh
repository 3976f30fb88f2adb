#!/usr/bin/env bash
# Builds llama.cpp/ggml for one platform profile into native/build/<name>/.
#
#   native/build.sh [profile]            profile: cpu (default), cuda, jetson-orin, jetson-thor
#
# Environment:
#   LLAMA_CPP_SRC   a llama.cpp checkout to build instead of the pinned source (engine.lock)
#   CPU_ISA         instruction-set level of the CPU backend (profile cpu and cuda):
#                   x86-64: sse42 | avx2 (default) | avx512
#                   aarch64: armv8 | armv8.2 (default) | armv9
#   CUDA_ARCH       CUDA architectures, e.g. 90 or "87;90" (default: the GPU present)
#   CROSS           aarch64: cross-compile with Debian's aarch64-linux-gnu toolchain
#   BUILD_NAME      output folder name under native/build (default: profile, plus -<isa>
#                   when CPU_ISA is not the default, plus -<arch> when cross-compiling)
#   TARGETS         CMake targets to build (default: the libraries and the reference tools)
#   JOBS            parallel compile jobs (default: number of CPUs)
#   TRTLLM_ROOT     a TensorRT-LLM installation to build the trtllm request engine against
#                   (or TRTLLM_INCLUDE and TRTLLM_LIB; see native/shim/build.sh)
#
# Output: lib/ (the shared libraries the JVM loads, with the request engines of native/shim:
# libedgebench_request_llama.so, libedgebench_request_scripted.so for tests, and
# libedgebench_request_trtllm.so when TRTLLM_ROOT is set; see native/shim/build.sh; on CUDA profiles
# libedgebench_nvtx.so, see native/profiling/build.sh), bin/ (llama-simple, llama-bench, llama-batched-bench,
# test-backend-ops: the reference tools built from the same source; llama-server, without its web UI), manifest.json
# (what was built, from what, how), architectures.txt (the model architectures the source
# can load). A second run with nothing changed only re-checks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
profile=${1:-${PROFILE:-cpu}}
profile_file="$here/profiles/$profile.cmake"
die() { echo "native/build.sh: $*" >&2; exit 2; }

[ -f "$profile_file" ] || die "unknown profile '$profile'; known: $(cd "$here/profiles" && ls ./*.cmake | sed 's|./||; s|.cmake||' | grep -v common | tr '\n' ' ')"
command -v cmake >/dev/null || die "cmake is not installed (needed to build the engine)"

host_arch=$(uname -m)
target_arch=$host_arch
toolchain_args=()
case "${CROSS:-}" in
  "") ;;
  aarch64|arm64)
    target_arch=aarch64
    command -v aarch64-linux-gnu-g++ >/dev/null || die "CROSS=aarch64 needs aarch64-linux-gnu-g++ (Debian: apt-get install g++-aarch64-linux-gnu)"
    toolchain_args=(-DCMAKE_TOOLCHAIN_FILE="$here/toolchains/aarch64-linux-gnu.cmake");;
  *) die "CROSS='${CROSS}' is not supported; only CROSS=aarch64";;
esac
case "$profile" in
  jetson-*) [ "$target_arch" = aarch64 ] || [ -n "${CROSS:-}" ] || \
    die "profile $profile targets aarch64 (a Jetson); this host is $host_arch. Build it on the Jetson, or check it here with 'make native-check-jetson'";;
esac

# Instruction-set level of the CPU backend: explicit flags, never GGML_NATIVE.
isa_args=()
case "$target_arch" in
  x86_64|amd64)
    default_isa=avx2
    isa=${CPU_ISA:-$default_isa}
    base=(-DGGML_SSE42=ON -DGGML_AVX=OFF -DGGML_AVX2=OFF -DGGML_BMI2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF
          -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF
          -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF)
    case "$isa" in
      sse42)  isa_args=("${base[@]}");;
      avx2)   isa_args=("${base[@]}" -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON -DGGML_FMA=ON -DGGML_F16C=ON);;
      avx512) isa_args=("${base[@]}" -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON -DGGML_FMA=ON -DGGML_F16C=ON
                        -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON);;
      *) die "CPU_ISA='$isa' is not an x86-64 level; use sse42, avx2 or avx512";;
    esac;;
  aarch64|arm64)
    case "$profile" in jetson-orin) default_isa=armv8.2;; jetson-thor) default_isa=armv9;; *) default_isa=armv8.2;; esac
    isa=${CPU_ISA:-$default_isa}
    case "$isa" in
      armv8)   isa_args=(-DGGML_CPU_ARM_ARCH=armv8-a);;
      armv8.2) isa_args=(-DGGML_CPU_ARM_ARCH=armv8.2-a+dotprod+fp16);;
      armv9)   isa_args=(-DGGML_CPU_ARM_ARCH=armv9-a+i8mm+bf16);;
      *) die "CPU_ISA='$isa' is not an aarch64 level; use armv8, armv8.2 or armv9";;
    esac;;
  *) die "unsupported target architecture $target_arch";;
esac

cuda_args=()
cuda_version=""
if grep -q "GGML_CUDA ON" "$profile_file"; then
  nvcc=$(command -v nvcc || true)
  [ -n "$nvcc" ] || { [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc; } || true
  [ -n "$nvcc" ] || die "profile $profile needs the CUDA compiler (nvcc), which is not on PATH nor in /usr/local/cuda/bin"
  cuda_version=$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
  case "$cuda_version" in 12.*|13.*) ;; *) die "CUDA $cuda_version found at $nvcc; profile $profile needs CUDA 12.x or 13.x";; esac
  cuda_args=(-DCMAKE_CUDA_COMPILER="$nvcc")
  arch=${CUDA_ARCH:-}
  if [ -z "$arch" ] && [ "$profile" = cuda ]; then
    if command -v nvidia-smi >/dev/null && caps=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null) && [ -n "$caps" ]; then
      arch=$(echo "$caps" | tr -d ' .' | sort -u | paste -sd';')
    else
      die "profile cuda: no GPU found to choose the architecture (nvidia-smi gave none); set CUDA_ARCH, e.g. CUDA_ARCH=90"
    fi
  fi
  [ -n "$arch" ] && cuda_args+=(-DCMAKE_CUDA_ARCHITECTURES="$arch")
fi

if [ -n "${LLAMA_CPP_SRC:-}" ]; then
  src=$(cd "$LLAMA_CPP_SRC" 2>/dev/null && pwd) || die "LLAMA_CPP_SRC='$LLAMA_CPP_SRC' is not a directory"
  [ -f "$src/include/llama.h" ] || die "LLAMA_CPP_SRC='$src' does not look like llama.cpp (no include/llama.h)"
else
  "$here/fetch-source.sh"
  src="$here/src/llama.cpp"
fi

name=${BUILD_NAME:-$profile}
if [ -z "${BUILD_NAME:-}" ]; then
  [ "$isa" != "$default_isa" ] && name="$name-$isa"
  [ -n "${CROSS:-}" ] && name="$name-$target_arch"
fi
out="$here/build/$name"
cmake_dir="$out/cmake"
mkdir -p "$out/lib" "$out/bin"

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# ---- llama-server (tools/server without the web UI, see profiles/common.cmake): a source tree
# without tools/ui's CMake files (an older bundle's archive) builds everything else ----
server_args=()
server_target=llama-server
if [ ! -f "$src/tools/ui/CMakeLists.txt" ] || [ ! -f "$src/tools/ui/ui.cpp.in" ]; then
  echo "native: warning: $src has no tools/ui/CMakeLists.txt; building without llama-server" >&2
  server_args=(-DLLAMA_BUILD_SERVER=OFF)
  server_target=""
fi
# ---- end of llama-server ----
config_args=(-C "$profile_file" "${toolchain_args[@]}" "${isa_args[@]}" "${cuda_args[@]}" "${server_args[@]}")
config_key=$(printf '%s\n' "$src" "${generator[@]}" "${config_args[@]}" | cat - "$profile_file" "$here/profiles/common.cmake" | sha256sum | cut -d' ' -f1)

# What the build is made from, by content and never by location, so that a moved or re-cloned
# checkout with its build folder is not rebuilt: the source (a git tree: its commit, its changes
# and untracked files; otherwise every file), the flags with this folder's path taken out, the
# profile and toolchain files, the targets, the compilers named in the environment, and these
# scripts. (CMake's own build tree records absolute paths: the configure key above keeps them.)
source_id() {
  if git -C "$src" rev-parse --verify -q HEAD >/dev/null 2>&1 \
     && [ "$(git -C "$src" rev-parse --show-toplevel)" = "$(cd "$src" && pwd -P)" ]; then
    git -C "$src" rev-parse HEAD
    git -C "$src" diff HEAD --binary
    (cd "$src" && git ls-files --others --exclude-standard -z | sort -z | xargs -0 -r sha256sum)
  else
    (cd "$src" && find . -type f -not -path './.git/*' -print0 | sort -z | xargs -0 -r sha256sum)
  fi
}
build_key=$( { source_id; printf '%s\n' "$profile" "${generator[@]}" "${config_args[@]}" "${TARGETS:-}" "${CC:-}" "${CXX:-}" \
  "${REQUEST_ENGINES:-on}" "${TRTLLM_ROOT:-}" "${TRTLLM_INCLUDE:-}" "${TRTLLM_LIB:-}" | sed "s|$here/|native/|g"; \
  cat "$profile_file" "$here/profiles/common.cmake" "$here/build.sh" "$here/architectures.sh"; \
  [ "${REQUEST_ENGINES:-on}" = off ] || find "$here/shim" -type f -print0 | sort -z | xargs -0 cat; \
  [ ${#toolchain_args[@]} -eq 0 ] || cat "$here/toolchains/aarch64-linux-gnu.cmake"; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/.build-key" 2>/dev/null)" = "$build_key" ] && [ -f "$out/manifest.json" ] && [ -f "$out/architectures.txt" ] \
   && compgen -G "$out/lib/lib*.so*" >/dev/null; then
  echo "native: $name is up to date ($out)" >&2
  exit 0
fi
if [ ! -f "$cmake_dir/CMakeCache.txt" ] || [ "$(cat "$out/.config-key" 2>/dev/null)" != "$config_key" ]; then
  echo "native: configuring $name ($profile, $target_arch, isa $isa${cuda_version:+, CUDA $cuda_version})" >&2
  rm -f "$cmake_dir/CMakeCache.txt"
  cmake -S "$src" -B "$cmake_dir" "${generator[@]}" "${config_args[@]}" >"$out/configure.log" 2>&1 || {
    tail -30 "$out/configure.log" >&2; die "CMake configure failed for $name; full log: $out/configure.log"; }
  echo "$config_key" > "$out/.config-key"
fi

targets=${TARGETS:-llama ggml llama-simple llama-bench llama-batched-bench test-backend-ops $server_target}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
start=$(date +%s)
# shellcheck disable=SC2086
cmake --build "$cmake_dir" --parallel "$jobs" --target $targets 2>&1 | tee "$out/build.log" | \
  grep --line-buffered -E '^\[[0-9]+/[0-9]+\]|error|Error' | \
  awk '/^\[/ { if (++n % 20 == 0) { print "native: " $1 " " $NF; fflush() } next } { print; fflush() }' >&2 || true
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
  tail -30 "$out/build.log" >&2
  die "build failed for $name; full log: $out/build.log"
fi
build_s=$(( $(date +%s) - start ))

# Copy what changed into lib/ and bin/; the manifest is rewritten only when something did.
changed=0
sync_file() {
  local dst
  dst="$2/$(basename "$1")"
  if [ -L "$1" ]; then
    [ "$(readlink "$1")" = "$(readlink "$dst" 2>/dev/null)" ] || { rm -f "$dst"; cp -P "$1" "$dst"; changed=1; }
  elif ! cmp -s "$1" "$dst"; then
    rm -f "$dst"; cp -p "$1" "$dst"; changed=1
  fi
}
while IFS= read -r f; do sync_file "$f" "$out/lib"; done < <(find "$cmake_dir/bin" "$cmake_dir/src" "$cmake_dir/ggml" -maxdepth 3 -name 'lib*.so*' \( -type f -o -type l \) 2>/dev/null | sort -u)
for t in $targets; do
  [ -f "$cmake_dir/bin/$t" ] && sync_file "$cmake_dir/bin/$t" "$out/bin"
done

# ---- request engines (native/shim): edgebench_request.h over llama.cpp, the scripted test
# double and, when TRTLLM_ROOT is given, TensorRT-LLM; built with the engine's compilers and
# copied into lib/ like the engine's own libraries ----
build_request_engines() {
  local cache="$cmake_dir/CMakeCache.txt" c cxx f
  c=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$cache" | head -1)
  cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$cache" | head -1)
  CC=${c:-cc} CXX=${cxx:-c++} "$here/shim/build.sh" "$out" "$src" || die "request engines failed to build for $name (native/shim/build.sh)"
  for f in "$out"/shim/libedgebench_request_*.so; do
    [ -f "$f" ] && sync_file "$f" "$out/lib"
  done
  # a trtllm library of an earlier build with TensorRT-LLM must not outlive that installation
  if [ ! -f "$out/shim/libedgebench_request_trtllm.so" ] && [ -f "$out/lib/libedgebench_request_trtllm.so" ]; then
    rm -f "$out/lib/libedgebench_request_trtllm.so"; changed=1
  fi
  request_engines_json=$(cat "$out/shim/request-engines.json")
}
request_engines_json=null
# REQUEST_ENGINES=off builds the engine alone (a checkout without native/shim, a build without a C++ toolchain for it)
[ "${REQUEST_ENGINES:-on}" = off ] || build_request_engines
# ---- end of request engines ----
# NVTX ranges for the profilers (native/profiling): CUDA profiles only; the headers come with the toolkit
if [ -n "$cuda_version" ]; then
  nvtx_inc=/usr/local/cuda/include
  for d in "${CUDA_INCLUDE:-}" "$(dirname "$(readlink -f "$nvcc")")/../include"; do
    [ -n "$d" ] && [ -f "$d/nvtx3/nvToolsExt.h" ] && { nvtx_inc=$d; break; }
  done
  nvtx_lib=$(CC="$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$cmake_dir/CMakeCache.txt" | head -1)" \
    "$here/profiling/build.sh" "$out" "$nvtx_inc") || die "libedgebench_nvtx.so failed to build for $name (native/profiling/build.sh)"
  sync_file "$nvtx_lib" "$out/lib"
fi
[ -f "$out/manifest.json" ] || changed=1
# the architectures this source can load, so that other models are refused before a run
if "$here/architectures.sh" "$src" > "$out/architectures.txt.tmp"; then
  mv "$out/architectures.txt.tmp" "$out/architectures.txt"
else
  rm -f "$out/architectures.txt.tmp" "$out/architectures.txt"
  echo "native: warning: no architecture list for $name; models are not checked against it before a run" >&2
fi

if [ "$changed" = 1 ]; then
  cache="$cmake_dir/CMakeCache.txt"
  cget() { sed -n "s/^$1:[A-Z]*=//p" "$cache" | head -1; }
  if [ -f "$src/.edgebench-source" ]; then
    # an offline bundle's source archive: the pin it was cut from travels with it
    # shellcheck source=/dev/null
    . "$src/.edgebench-source"
    src_kind=bundle; commit=$GIT_COMMIT; dirty=false; src_sha=$NPM_SHA256
    npm_pkg="$NPM_PACKAGE@$NPM_VERSION"; release=$LLAMA_CPP_RELEASE
  elif [ -n "${LLAMA_CPP_SRC:-}" ]; then
    src_kind=checkout
    commit=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)
    dirty=$(git -C "$src" status --porcelain 2>/dev/null | grep -qv '^??' && echo true || echo false)
    src_sha=$( (cd "$src" && git ls-files -s 2>/dev/null | sha256sum | cut -d' ' -f1) || echo unknown)
    npm_pkg=""; release=$(git -C "$src" describe --tags 2>/dev/null || echo unknown)
  else
    # shellcheck source=/dev/null
    . "$here/engine.lock"
    src_kind=npm; commit=$(git -C "$src" rev-parse HEAD); dirty=false; src_sha=$NPM_SHA256
    npm_pkg="$NPM_PACKAGE@$NPM_VERSION"; release=$LLAMA_CPP_RELEASE
  fi
  ggml_version=$(sed -n 's/^set(GGML_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\))/\2/p' "$src/ggml/CMakeLists.txt" | paste -sd.)
  cxx=$(cget CMAKE_CXX_COMPILER)
  cxx_version=$("$cxx" --version 2>/dev/null | head -1 || echo unknown)
  relevant='^GGML_(NATIVE|BACKEND_DL|CPU|CPU_REPACK|OPENMP|LLAMAFILE|SSE42|AVX[A-Z0-9_]*|F16C|FMA|BMI2|AMX_[A-Z0-9]*|CUDA)$'
  [ -n "$cuda_version" ] && relevant='^GGML_(NATIVE|BACKEND_DL|CPU|CPU_REPACK|OPENMP|LLAMAFILE|SSE42|AVX[A-Z0-9_]*|F16C|FMA|BMI2|AMX_[A-Z0-9]*|CUDA|CUDA_[A-Z0-9_]*)$'
  options=$(grep -E '^GGML_[A-Z0-9_]+:BOOL=ON' "$cache" | sed 's/:BOOL=ON//' | grep -E "$relevant" | sort | paste -sd' ')
  arm_arch=$(cget GGML_CPU_ARM_ARCH)
  [ -n "$arm_arch" ] && options="$options GGML_CPU_ARM_ARCH=$arm_arch"
  # the flags the CPU backend was really compiled with (instruction-set flags are per target)
  cpu_flags=$(grep -h -A8 'ggml-cpu/ggml-cpu.c.o:' "$cmake_dir/build.ninja" 2>/dev/null | sed -n 's/^ *FLAGS = //p' | head -1)
  [ -n "$cpu_flags" ] || cpu_flags=$(sed -n 's/^C_FLAGS = //p' "$cmake_dir/ggml/src/CMakeFiles/ggml-cpu.dir/flags.make" 2>/dev/null | head -1)
  libs_json=$(cd "$out/lib" && for f in lib*.so*; do [ -f "$f" ] && [ ! -L "$f" ] && printf '    {"file": "%s", "bytes": %s, "sha256": "%s"},\n' "$f" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)"; done | sed '$ s/,$//')
  esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
  cat > "$out/manifest.json.tmp" <<JSON
{
  "schema": "edgebench.native-manifest/1",
  "name": "$(esc "$name")",
  "profile": "$profile",
  "hostArch": "$host_arch",
  "targetArch": "$target_arch",
  "cpuIsa": "$isa",
  "engine": {
    "name": "llama.cpp",
    "release": "$(esc "$release")",
    "ggmlVersion": "$ggml_version",
    "source": "$src_kind",
    "npmPackage": "$npm_pkg",
    "sourceSha256": "$src_sha",
    "gitCommit": "$commit",
    "dirty": $dirty
  },
  "compiler": {
    "cxx": "$(esc "$cxx")",
    "version": "$(esc "$cxx_version")",
    "cpuBackendFlags": "$(esc "$cpu_flags")",
    "buildType": "$(cget CMAKE_BUILD_TYPE)",
    "generator": "$(cget CMAKE_GENERATOR)"
  },
  "ggmlOptions": "$options",
  "cuda": {
    "enabled": $( [ -n "$cuda_version" ] && echo true || echo false ),
    "version": "$cuda_version",
    "architectures": "$(cget CMAKE_CUDA_ARCHITECTURES)"
  },
  "requestEngines": $request_engines_json,
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "buildSeconds": $build_s,
  "libraries": [
$libs_json
  ]
}
JSON
  mv "$out/manifest.json.tmp" "$out/manifest.json"
  echo "native: built $name in ${build_s}s -> $out" >&2
else
  echo "native: $name is up to date ($out)" >&2
fi
echo "$build_key" > "$out/.build-key"
