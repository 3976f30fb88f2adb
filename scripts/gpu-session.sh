#!/usr/bin/env bash
# One step of the GPU reference session, run from the repository root on a GPU machine that has
# the offline bundle unpacked at dist/edgebench-bundle (no JDK or network needed there).
#
#   scripts/gpu-session.sh build     build the CUDA engine, compile-check sm_87/sm_110, forge the models
#   scripts/gpu-session.sh parity [M..]  edgebench vs llama-bench, back to back, per model (default: every model)
#   scripts/gpu-session.sh ppramp    llama-bench's pp128 alone: 10 repetitions against 500, alternating
#   scripts/gpu-session.sh presets   quick and seed-2026 on every model
#   scripts/gpu-session.sh kernels   the kernel suite on CUDA vs test-backend-ops, device ceilings, telemetry
#   scripts/gpu-session.sh why       the matrix products vs test-backend-ops as pinned, then vs one that settles before timing
#   scripts/gpu-session.sh seed M..  seed-2026 on the given models (NAME:TYPE), small results packed after each
#   scripts/gpu-session.sh quick     quick on every model
#   scripts/gpu-session.sh kernels8b the kernel suite on CUDA for Llama-3.1-8B Q4_0
#   scripts/gpu-session.sh batched  llama-batched (in-flight batching, in-process) at concurrency 1/4/8 vs the pinned
#                                   llama-batched-bench and vs the step engine's decode at batch 1 (Llama-3.2-1B Q4_0,
#                                   prompt 128, gen 128), interleaved rounds
#
# FORGE="NAME:TYPE ..." after build forges just those (default: every model); CHECK_JETSON=0 skips the
# sm_87/sm_110 compile check.
#
# Small results (run.json, summary.md, logs) are copied to $OUT (or ./gpu-out) as one tarball.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle="$root/dist/edgebench-bundle"
out=${OUT:-$root/gpu-out}
mkdir -p "$out"
step=${1:?step: build|parity|ppramp|presets|kernels|why|seed|quick|kernels8b|batched}
export EDGEBENCH_MODELS=${EDGEBENCH_MODELS:-/tmp/edgebench-models}
export JOBS=${JOBS:-$(nproc)}
java="$bundle/runtime/bin/java"
jar="$bundle/benchmarks.jar"
jopts=(--enable-native-access=ALL-UNNAMED -Dedgebench.home="$bundle" -Dedgebench.profile=cuda)
eb() { "$java" "${jopts[@]}" -jar "$jar" "$@"; }
models=(Llama-3.2-1B:Q4_0 Llama-3.2-1B:F16 Qwen3-0.6B:Q4_0 Llama-3.1-8B:Q4_0)
log="$out/$step.log"
exec > >(tee -a "$log") 2>&1
echo "== $step on $(hostname) at $(date -u +%FT%TZ)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv

pack() {
  (cd "$bundle" && find results -name run.json -o -name summary.md -o -name parity.json -o -name '*.csv' -o -name 'kernels*.json' \
     -o -name 'telemetry' -o -path '*/telemetry/*' 2>/dev/null | tar -czf "$out/$step-results.tgz" -T - 2>/dev/null)
  ls -la "$out"
}

quick_all() {
  for m in "${models[@]}"; do
    eb run --preset quick --model "$m" --run-id "quick-${m//[:.]/_}" | tail -12
  done
}

seed_each() {
  for m in "$@"; do
    eb run --preset seed-2026 --model "$m" --run-id "seed-2026-${m//[:.]/_}" | tail -30
    pack
  done
}

case "$step" in
  build)
    start=$(date +%s)
    (cd "$bundle" && ./run.sh --profile cuda --build-only) || { echo "BUILD FAILED"; tail -50 "$bundle/native/build/cuda/build.log"; exit 1; }
    echo "cuda build: $(( $(date +%s) - start ))s"
    cat "$bundle/native/build/cuda/manifest.json"
    ls -la "$bundle/native/build/cuda/lib" "$bundle/native/build/cuda/bin"
    if [ "${CHECK_JETSON:-1}" != 0 ]; then
      LLAMA_CPP_SRC="$bundle/native/src/llama.cpp" bash "$root/scripts/check-jetson.sh" 2>&1 | grep -E "CUDA|^check|Not checked" || true
    fi
    start=$(date +%s)
    # shellcheck disable=SC2086
    eb forge ${FORGE:-"${models[@]}"}
    echo "forge: $(( $(date +%s) - start ))s"
    eb telemetry --samples 5 || true
    ;;
  parity)
    shift
    [ $# -gt 0 ] || set -- "${models[@]}"
    for m in "$@"; do
      reps=10
      [ "$m" = Llama-3.1-8B:Q4_0 ] && reps=5
      eb parity --model "$m" --rounds 3 --reps "$reps" --ngl auto 2>&1 | grep -vE '^(#|Benchmark|Dev|Iter|Warmup|Result|  )' | tail -12
    done
    pack
    ;;
  ppramp)
    # does a short llama-bench prompt test meet a GPU that has not settled? (same binary, same model)
    lb="$bundle/native/build/cuda/bin/llama-bench"
    f="$EDGEBENCH_MODELS/Llama-3.2-1B/Llama-3.2-1B-Q4_0-seed2026-v1.gguf"
    [ -f "$f" ] || { echo "ppramp: no $f (run the build step)"; exit 1; }
    for r in 10 500 10 500 10 500; do
      printf 'reps %4s: ' "$r"
      "$lb" -m "$f" -p 128 -n 0 -ngl 99 -r "$r" -o csv 2>/dev/null | tail -1 | awk -F, '{print "pp128 avg_ts " $(NF-1) " stddev " $NF}'
    done
    ;;
  presets)
    quick_all
    seed_each "${models[@]}"
    ;;
  kernels)
    eb kernels --model Llama-3.2-1B:Q4_0 --backend CUDA0 --compare-test-backend-ops | tail -60
    eb kernels --model Llama-3.1-8B:Q4_0 --backend CUDA0 | tail -40
    # telemetry overhead: the same decode back to back without and with the sampler (twice, alternating)
    for r in 1 2; do
      eb run --preset quick --model Llama-3.2-1B:Q4_0 --benchmarks decode --no-telemetry --no-roofline --run-id tele-off-$r | grep -E "^\| Llama|decode.tok_s"
      eb run --preset quick --model Llama-3.2-1B:Q4_0 --benchmarks decode --no-roofline --run-id tele-on-$r | grep -E "^\| Llama|decode.tok_s|counterVs"
    done
    for f in "$bundle"/results/runs/tele-on-*/run.json; do
      "$java" -version >/dev/null 2>&1
      grep -o '"counterVsIntegratedRatio" : [0-9.]*' "$f"
    done
    pack
    ;;
  why)
    # test-backend-ops times from its graph's first full compute: on CUDA that one runs uncaptured and the
    # next captures the CUDA graph. The eb-tbo-p column repeats that protocol in edgebench; then the same
    # comparison against a test-backend-ops that settles for 3 computes before its timer (patched here, on
    # the GPU machine only; the pinned binary is put back afterwards).
    eb kernels --model Llama-3.2-1B:Q4_0 --backend CUDA0 --only-compare --repeats 3 --out "$bundle/results/runs/tbo-stock"
    cmake_dir="$bundle/native/build/cuda/cmake"
    tbo="$bundle/native/build/cuda/bin/test-backend-ops"
    src="$bundle/native/src/llama.cpp/tests/test-backend-ops.cpp"
    line=$(grep -n '^        // run$' "$src" | cut -d: -f1)
    [ -n "$line" ] || { echo "why: no '// run' line in $src"; exit 1; }
    cp "$src" "$src.pinned" && cp "$tbo" "$tbo.pinned"
    sed -i "${line}s|^|        for (int w = 0; w < 3; w++) { ggml_backend_graph_compute(backend, gf); } // settle before timing\\n|" "$src"
    cmake --build "$cmake_dir" --target test-backend-ops -j"$JOBS" >/dev/null && cp "$cmake_dir/bin/test-backend-ops" "$tbo"
    eb kernels --model Llama-3.2-1B:Q4_0 --backend CUDA0 --only-compare --repeats 3 --out "$bundle/results/runs/tbo-settled"
    mv "$src.pinned" "$src" && mv "$tbo.pinned" "$tbo"
    pack
    ;;
  seed)
    shift
    seed_each "$@"
    ;;
  quick)
    quick_all
    pack
    ;;
  kernels8b)
    eb kernels --model Llama-3.1-8B:Q4_0 --backend CUDA0 --out "$bundle/results/runs/kernels-cuda-8b" | tail -40
    pack
    ;;
  batched)
    # the request engine's price: its decode rate against llama.cpp's own batched benchmark (same build, model,
    # lengths, one batch of C sequences) and against the step engine at batch 1; ROUNDS interleaved rounds
    cmake_dir="$bundle/native/build/cuda/cmake"
    bb="$bundle/native/build/cuda/bin/llama-batched-bench"
    if [ ! -x "$bb" ]; then
      cmake --build "$cmake_dir" --target llama-batched-bench -j"$JOBS" >/dev/null && cp "$cmake_dir/bin/llama-batched-bench" "$bb" \
        || { echo "batched: could not build llama-batched-bench in $cmake_dir"; exit 1; }
    fi
    f="$EDGEBENCH_MODELS/Llama-3.2-1B/Llama-3.2-1B-Q4_0-seed2026-v1.gguf"
    [ -f "$f" ] || eb forge Llama-3.2-1B:Q4_0
    for r in $(seq 1 "${ROUNDS:-3}"); do
      echo "== round $r"
      # 8 sequences x (128 + 128) tokens = 2048 context tokens
      "$bb" -m "$f" -c 4096 -b 2048 -ub 512 -npp 128 -ntg 128 -npl 1,4,8 -ngl 99 2>&1 | grep -E '^\|'
      eb run --engine llama-batched --concurrency 1,4,8 --requests 8 --model Llama-3.2-1B:Q4_0 --prompt 128 --gen 128 \
        --warmup 1 --samples 5 --run-id "batched-req-$r" | sed -n '/^## Requests/,/^Latencies/p'
      eb run --benchmarks decode --batch 1 --model Llama-3.2-1B:Q4_0 --gen 128 --warmup 1 --samples 5 \
        --run-id "batched-step-$r" | grep -E '^\| Llama'
    done
    (cd "$bundle" && find results/runs -path '*batched-*' \( -name run.json -o -name summary.md -o -path '*/requests/*' \) \
      | tar -czf "$out/batched-results.tgz" -T -)
    ls -la "$out"
    ;;
  *) echo "unknown step $step"; exit 2;;
esac
