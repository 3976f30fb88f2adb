#!/usr/bin/env bash
# One step of the GPU reference session, run from the repository root on a GPU machine that has
# the offline bundle unpacked at dist/edgebench-bundle (no JDK or network needed there).
#
#   scripts/gpu-session.sh build     build the CUDA engine, compile-check sm_87/sm_110, forge the models
#   scripts/gpu-session.sh parity [M..]  edgebench vs llama-bench, back to back, per model (default: every model);
#                                    ROUNDS (default 3), REPS (10; 8B: 5), PARITY_ARGS (e.g. "--prompt 128 --gen 128")
#   scripts/gpu-session.sh gapdiag   one model's decode four ways, interleaved (GAP_MODEL, ROUNDS): llama-bench, the same
#                                    loop in C, the profile command (JVM, no JMH), the decode benchmark (JMH fork)
#   scripts/gpu-session.sh hfcheck [NAME..]  the forge's Hugging-Face checkpoint under transformers (float32, GPU) against
#                                    llama.cpp's logits of the same F16 GGUF (default: Llama-3.2-1B Qwen3-0.6B)
#   scripts/gpu-session.sh gapab [M..]  parity rounds with the log gate and early JIT (the defaults) against rounds with
#                                    both off, interleaved (ROUNDS, default 3; default model Llama-3.2-1B:Q4_0)
#   scripts/gpu-session.sh ppramp    llama-bench's pp128 alone: 10 repetitions against 500, alternating
#   scripts/gpu-session.sh presets   quick and seed-2026 on every model
#   scripts/gpu-session.sh kernels   the kernel suite on CUDA vs test-backend-ops, device ceilings, telemetry
#   scripts/gpu-session.sh why       the matrix products vs test-backend-ops as pinned, then vs one that settles before timing
#   scripts/gpu-session.sh seed M..  seed-2026 on the given models (NAME:TYPE), small results packed after each
#   scripts/gpu-session.sh quick     quick on every model
#   scripts/gpu-session.sh kernels8b the kernel suite on CUDA for Llama-3.1-8B Q4_0
#   scripts/gpu-session.sh jetson-cuda ARCH..  the whole CUDA engine (every ggml-cuda source the profile
#                                    compiles, linked against this host's cuBLAS) for a Jetson's GPU
#                                    architecture: 87 (Orin), 110 (Thor); one per call (~5 min each on 16 cores)
#   scripts/gpu-session.sh spec [P..] speculative decoding of the seed pairs (default: llama3 qwen3), synthetic
#                                    acceptance: batch 1 and 8, k 2,4,8, alpha 0.4/0.6/0.8; then a real self draft
#   scripts/gpu-session.sh decodegap the decode gap: nsys (edgebench and llama-bench decode), ncu on one NVTX decode step,
#                                    then parity rounds for Llama-3.2-1B Q4_0 and Qwen3-0.6B Q4_0 (ROUNDS, default 5;
#                                    PARITY_MODELS; NSYS=0 / NCU=0 skip a profiler)
#   scripts/gpu-session.sh batched  llama-batched (in-flight batching, in-process) at concurrency 1/4/8 vs the pinned
#                                   llama-batched-bench and vs the step engine's decode at batch 1 (Llama-3.2-1B Q4_0,
#                                   prompt 128, gen 128), interleaved rounds
#   scripts/gpu-session.sh threads  the decode gap against the CPU thread count: for each of THREADS (default 16 4 1;
#                                   auto: what run and parity pick by default),
#                                   the profile command's steady decode (no JMH, per-thread CPU) and parity rounds
#                                   (ROUNDS, default 2) of Llama-3.2-1B Q4_0 (TH_MODEL), prompt 128, gen 128
#   scripts/gpu-session.sh decodeloop  one decode step two ways in C (llama-bench's llama_batch_get_one, edgebench's
#                                   explicit batch), interleaved, Llama-3.2-1B Q4_0, for each of THREADS (default 4 1)
#   scripts/gpu-session.sh pinning [M]  is a run's decode rate set when its process starts: llama-bench tg128 and the
#                                   decode benchmark, A/A, each run a fresh process, unpinned vs taskset PIN_CPUS
#                                   (default 0-7), interleaved (ROUNDS 12, EB_ROUNDS 6, BUDGET_S 200; default Qwen3-0.6B:Q4_0)
#   scripts/gpu-session.sh servercost [M..]  server-cost (step engine, llama-batched, llama-server over loopback,
#                                   interleaved) on each model (default Llama-3.2-1B:Q4_0 Llama-3.2-3B:Q4_K_M),
#                                   prompt 128, gen 128, ROUNDS rounds (default 3)
#
# FORGE="NAME:TYPE ..." after build forges just those (default: every model); CHECK_JETSON=0 skips the
# sm_87/sm_110 compile check. spec: SPEC_BATCH, SPEC_K, SPEC_ALPHA (space-separated), SPEC_SAMPLES and
# SPEC_SELF=0 cut its grid.
#
# Small results (run.json, summary.md, logs) are copied to $OUT (or ./gpu-out) as one tarball.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle="$root/dist/edgebench-bundle"
out=${OUT:-$root/gpu-out}
mkdir -p "$out"
step=${1:?step: build|parity|gapab|gapdiag|hfcheck|ppramp|presets|kernels|why|seed|quick|kernels8b|jetson-cuda|spec|decodegap|batched|threads|decodeloop|servercost|pinning}
export EDGEBENCH_MODELS=${EDGEBENCH_MODELS:-/tmp/edgebench-models}
export JOBS=${JOBS:-$(nproc)}
java="$bundle/runtime/bin/java"
jar="$bundle/benchmarks.jar"
jopts=(--enable-native-access=ALL-UNNAMED -Dedgebench.home="$bundle" -Dedgebench.profile=cuda)
# EB_JOPTS: extra JVM options for every edgebench command (e.g. -Dedgebench.jit.early=false), forwarded to its forks
# shellcheck disable=SC2086
eb() { "$java" "${jopts[@]}" ${EB_JOPTS:-} -jar "$jar" "$@"; }
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
  # shellcheck disable=SC2086
  for m in ${QUICK_MODELS:-${models[*]}}; do
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
      JETSON_CHECKS=cuda LLAMA_CPP_SRC="$bundle/native/src/llama.cpp" bash "$root/scripts/check-jetson.sh" 2>&1 | grep -E "CUDA|^check" || true
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
      start=$(date +%s)
      reps=${REPS:-10}
      [ "$m" = Llama-3.1-8B:Q4_0 ] && reps=${REPS:-5}
      f=$(eb forge "$m" 2>&1 | tail -1)
      echo "forge $m: $f ($(( $(date +%s) - start ))s)"
      # shellcheck disable=SC2086
      eb parity --model "$m" --rounds "${ROUNDS:-3}" --reps "$reps" ${PARITY_ARGS:-} --ngl auto \
        --out "$bundle/results/parity-${m//[:.]/_}" 2>&1 | grep -vE '^(#|Benchmark|Dev|Iter|Warmup|Result|  )' | tail -12
      echo "parity $m: $(( $(date +%s) - start ))s"
    done
    pack
    ;;
  gapab)
    # the decode gap's two causes found on this VM, switched off and on, interleaved: parity rounds with the defaults
    # (log gate, early JIT) against rounds with both off (the behaviour before them); each parity call times llama-bench too
    shift
    [ $# -gt 0 ] || set -- Llama-3.2-1B:Q4_0
    old_opts="-Dedgebench.native.logGate=false -Dedgebench.jit.early=false"
    for m in "$@"; do
      eb forge "$m" | tail -1
      for r in $(seq 1 "${ROUNDS:-3}"); do
        order="new old"
        [ $((r % 2)) = 0 ] && order="old new"
        for cfg in $order; do
          o=""
          [ "$cfg" = old ] && o=$old_opts
          echo "== $m round $r: $cfg"
          EB_JOPTS=$o eb parity --model "$m" --rounds 1 --reps 5 --prompt 128 --gen 128 --ngl auto \
            --out "$bundle/results/gapab-${m//[:.]/_}-$cfg-$r" 2>&1 | grep -E '^(pp128|tg128)'
        done
      done
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
  jetson-cuda)
    # The Jetson boards' GPU code, built whole on an x86-64 host: the cuda profile with the board's
    # architecture alone, into its own folder (native/build/cuda-sm<ARCH>), so that it compiles and
    # links here; it cannot run here. Written: the build manifest (time, library sizes), the build
    # log, and every source that failed (the build is retried with ninja -k 0 to list them all).
    shift
    [ $# -gt 0 ] || { echo "jetson-cuda: name the architecture(s): 87 (Orin), 110 (Thor)"; exit 2; }
    for arch in "$@"; do
      case "$arch" in 87|110) ;; *) echo "jetson-cuda: '$arch' is not a Jetson architecture (87, 110)"; exit 2;; esac
    done
    src="$bundle/native/src/llama.cpp"
    [ -f "$src/.edgebench-source" ] || { mkdir -p "$bundle/native/src" && tar -xJf "$bundle/native/llama.cpp-src.tar.xz" -C "$bundle/native/src"; }
    nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
    echo "nvcc: $("$nvcc" --version | tail -2 | head -1)"
    fail=0
    for arch in "$@"; do
      "$nvcc" --list-gpu-arch 2>/dev/null | grep -qx "compute_$arch" || echo "jetson-cuda: note: nvcc does not list compute_$arch"
      name=cuda-sm$arch
      dir="$bundle/native/build/$name"
      start=$(date +%s)
      if (cd "$bundle" && PATH="$(dirname "$nvcc"):$PATH" LLAMA_CPP_SRC="$src" CUDA_ARCH=$arch BUILD_NAME=$name native/build.sh cuda); then
        echo "jetson-cuda sm_$arch: built and linked in $(( $(date +%s) - start ))s"
        file "$dir/lib/libggml-cuda.so" "$dir/bin/test-backend-ops"
        "$(dirname "$nvcc")/cuobjdump" --list-elf "$dir/lib/libggml-cuda.so" 2>/dev/null | sed 's/.*\.\(sm_[0-9a-z]*\)\..*/\1/' | sort | uniq -c
      else
        fail=1
        echo "jetson-cuda sm_$arch: BUILD FAILED after $(( $(date +%s) - start ))s; every failing source:"
        [ -f "$dir/cmake/build.ninja" ] || { echo "(CMake configure failed)"; tail -20 "$dir/configure.log"; continue; }
        cmake --build "$dir/cmake" --target ggml-cuda -- -k 0 > "$dir/keep-going.log" 2>&1 || true
        grep '^FAILED:' "$dir/keep-going.log" | sed 's/^FAILED: *//' | cut -c1-200
        grep -m5 -B2 -A8 'error' "$dir/keep-going.log"
        cp "$dir/keep-going.log" "$out/$name-keep-going.log"
      fi
      cp "$dir/build.log" "$out/$name-build.log" 2>/dev/null
      [ -f "$dir/manifest.json" ] && cp "$dir/manifest.json" "$out/$name-manifest.json" && cat "$dir/manifest.json"
    done
    exit $fail
    ;;
  spec)
    # 18 cells per pair (2 batches x 3 k x 3 alpha), one fork each: load both models, 1 warm-up + 3 samples of
    # 128 tokens plain and speculative. Qwen3-8B:Q4_0 is not forged by the build step: forged here, timed.
    shift
    [ $# -gt 0 ] || set -- llama3 qwen3
    rates=()
    for a in ${SPEC_ALPHA:-0.4 0.6 0.8}; do rates+=(--accept-rate "$a"); done
    for p in "$@"; do
      case "$p" in
        llama3) need=(Llama-3.1-8B:Q4_0 Llama-3.2-1B:Q4_0);;
        qwen3) need=(Qwen3-8B:Q4_0 Qwen3-0.6B:Q4_0);;
        *) echo "spec: unknown pair $p (llama3, qwen3)"; exit 2;;
      esac
      start=$(date +%s)
      eb forge "${need[@]}" | tail -3
      echo "forge ${need[*]}: $(( $(date +%s) - start ))s"
      start=$(date +%s)
      eb run --preset speculative --pair "$p" --batch "${SPEC_BATCH:-1,8}" --draft-tokens "${SPEC_K:-2,4,8}" "${rates[@]}" \
        --warmup 1 --samples "${SPEC_SAMPLES:-3}" --no-roofline --run-id "spec-$p" | sed -n '/^## Speculative/,/^## /p'
      echo "spec $p: $(( $(date +%s) - start ))s"
      pack
    done
    if [ "${SPEC_SELF:-1}" != 0 ]; then
      # real agreement: Qwen3-0.6B at Q4_0 drafting for its own F16 weights (same seed)
      eb forge Qwen3-0.6B:F16 | tail -1
      eb run --preset speculative --pair qwen3-self --batch "${SPEC_BATCH:-1,8}" --draft-tokens 4 --warmup 1 \
        --samples "${SPEC_SAMPLES:-3}" --no-roofline --run-id spec-qwen3-self | sed -n '/^## Speculative/,/^## /p'
      pack
    fi
    ;;
  decodegap)
    # Where edgebench's decode loses 1-1.6% to llama-bench: the same 64 decode steps of Llama-3.2-1B Q4_0 under nsys
    # from both (CUDA API calls per step: graph launches, synchronizes, copies), one decode step's kernels under ncu
    # through the NVTX filter, then alternating parity rounds. Assumes the build step ran (engine and models).
    m=Llama-3.2-1B:Q4_0
    f="$EDGEBENCH_MODELS/Llama-3.2-1B/Llama-3.2-1B-Q4_0-seed2026-v1.gguf"
    lb="$bundle/native/build/cuda/bin/llama-bench"
    [ -f "$f" ] || { echo "decodegap: no $f (run the build step)"; exit 1; }
    [ -f "$bundle/native/build/cuda/lib/libedgebench_nvtx.so" ] || echo "decodegap: no libedgebench_nvtx.so in the CUDA build: --nvtx will be refused"
    t0=$(date +%s)
    first_exe() { local c; for c in "$@"; do [ -x "$c" ] && { echo "$c"; return; }; done; }
    nsys_bin=$(command -v nsys || first_exe /usr/local/cuda/bin/nsys /opt/nvidia/nsight-systems/*/bin/nsys)
    ncu_bin=$(command -v ncu || first_exe /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu)
    echo "nsys: ${nsys_bin:-none}  ncu: ${ncu_bin:-none}"
    if [ -n "$nsys_bin" ] && [ "${NSYS:-1}" != 0 ]; then
      timeout 60 "$nsys_bin" profile --trace=cuda,nvtx --sample=none --cpuctxsw=none --force-overwrite=true -o "$out/eb-decode" \
        "$java" "${jopts[@]}" -jar "$jar" profile --model "$m" --workload decode --steps 64 --nvtx 2>&1 | grep -E '^(mark|profile:)|rror' | tail -8
      timeout 45 "$nsys_bin" profile --trace=cuda,nvtx --sample=none --cpuctxsw=none --force-overwrite=true -o "$out/lb-decode" \
        "$lb" -m "$f" -p 0 -n 64 -r 1 -ngl 99 2>&1 | grep -E '\| *tg|rror' | tail -3
      for r in eb-decode lb-decode; do
        if [ -f "$out/$r.nsys-rep" ]; then
          echo "-- $r: CUDA API calls (count, total ns), NVTX ranges, kernels"
          timeout 30 "$nsys_bin" stats -q -f csv -r cuda_api_sum "$out/$r.nsys-rep" 2>/dev/null \
            | awk -F, 'NR>1 {gsub(/"/,""); printf "  %-28s %8s calls %14s ns\n", $NF, $3, $2}' | head -12
          timeout 30 "$nsys_bin" stats -q -f csv -r nvtx_sum "$out/$r.nsys-rep" 2>/dev/null \
            | awk -F, 'NR>1 {gsub(/"/,""); printf "  nvtx %-20s %6s x  med %10s ns  total %14s ns\n", $NF, $3, $5, $2}' | head -6
          timeout 30 "$nsys_bin" stats -q -f csv -r cuda_gpu_kern_sum "$out/$r.nsys-rep" 2>/dev/null \
            | awk -F, 'NR>1 {gsub(/"/,""); n++; t+=$2; c+=$3} END {printf "  kernels: %d distinct, %d launches, %.3f ms GPU time\n", n, c, t/1e6}'
        else
          echo "-- $r: nsys made no report"
        fi
      done
    fi
    echo "nsys part: $(( $(date +%s) - t0 ))s"
    if [ -n "$ncu_bin" ] && [ "${NCU:-1}" != 0 ]; then
      # the kernels of one NVTX decode step only (the warm-up is its own range); a light section keeps the replay short
      timeout 120 "$ncu_bin" --nvtx --nvtx-include "edgebench@decode/" --section SpeedOfLight --launch-count 400 \
        -f -o "$out/eb-decode-step" "$java" "${jopts[@]}" -jar "$jar" profile --model "$m" --workload decode --steps 1 --nvtx \
        2>&1 | grep -E '^(mark|profile:)|==PROF==.*(Disconnected|rror)|ERR' | tail -6
      if [ -f "$out/eb-decode-step.ncu-rep" ]; then
        # per kernel (name without its template arguments): launches in the step and GPU time, largest first
        "$ncu_bin" -i "$out/eb-decode-step.ncu-rep" --csv --page raw --print-units base --metrics gpu__time_duration.sum 2>/dev/null \
          | awk -F'","' 'NR==1 {for (i=1;i<=NF;i++) {if ($i=="Kernel Name") kn=i; if ($i ~ /gpu__time_duration.sum/) tc=i}; next}
                         NR>2 && kn && tc {k=$kn; sub(/[<(].*/,"",k); v=$tc; gsub(/[",]/,"",v); n[k]++; t[k]+=v; all+=v; c++}
                         END {printf "  %10.1f us %5d x  (every kernel in the NVTX decode ranges)\n", all/1e3, c;
                              for (k in n) printf "  %10.1f us %5d x  %s\n", t[k]/1e3, n[k], substr(k,1,60)}' \
          | sort -nr -k1 | head -14
      else
        echo "-- ncu made no report"
      fi
    fi
    echo "profilers: $(( $(date +%s) - t0 ))s"
    for pm in ${PARITY_MODELS:-Llama-3.2-1B:Q4_0 Qwen3-0.6B:Q4_0}; do
      eb parity --model "$pm" --rounds "${ROUNDS:-5}" --reps 5 --prompt 512 --gen 128 --ngl auto 2>&1 \
        | grep -E '^(parity: [^/]*threads|test |pp|tg|Like|  pp)' | tail -12
    done
    echo "decodegap: $(( $(date +%s) - t0 ))s"
    pack
    (cd "$out" && tar -czf decodegap-profiles.tgz ./*.nsys-rep ./*.ncu-rep 2>/dev/null; ls -la decodegap-profiles.tgz 2>/dev/null)
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
    # TAG names this pass's run folders (batched-req-TAG-N); BATCHED_ONLY=1 runs the request engine alone
    for r in $(seq 1 "${ROUNDS:-3}"); do
      echo "== round $r${TAG:+ ($TAG)}${EBR_LLAMA_SAMPLING:+, EBR_LLAMA_SAMPLING=$EBR_LLAMA_SAMPLING}"
      # 8 sequences x (128 + 128) tokens = 2048 context tokens
      [ "${BATCHED_ONLY:-0}" = 1 ] || "$bb" -m "$f" -c 4096 -b 2048 -ub 512 -npp 128 -ntg 128 -npl 1,4,8 -ngl 99 2>&1 | grep -E '^\|'
      eb run --engine llama-batched --concurrency 1,4,8 --requests 8 --model Llama-3.2-1B:Q4_0 --prompt 128 --gen 128 \
        --warmup 1 --samples 5 --run-id "batched-req${TAG:+-$TAG}-$r" | sed -n '/^## Requests/,/^## All benchmarks/p' | grep -v '^Latencies'
      [ "${BATCHED_ONLY:-0}" = 1 ] || eb run --benchmarks decode --batch 1 --model Llama-3.2-1B:Q4_0 --gen 128 --warmup 1 --samples 5 \
        --run-id "batched-step${TAG:+-$TAG}-$r" | grep -E '^\| Llama'
    done
    (cd "$bundle" && find results/runs -path '*batched-*' \( -name run.json -o -name summary.md -o -path '*/requests/*' \) \
      | tar -czf "$out/batched-results.tgz" -T -)
    ls -la "$out"
    ;;
  threads)
    # Is the decode gap the CPU threads' price? With every layer on the GPU the CPU backend still runs each step's
    # input rows (the token embeddings stay in host memory) on all n_threads threads, which meet at a barrier: any
    # other runnable thread of the process (the JVM's) that takes one of their cores delays the whole step.
    m=${TH_MODEL:-Llama-3.2-1B:Q4_0}
    for t in ${THREADS:-16 4 1}; do
      echo "== threads $t"
      th=(--threads "$t")
      [ "$t" = auto ] && th=()
      eb profile --model "$m" --workload decode --steps 1024 --gen 128 "${th[@]}" --ngl auto 2>&1 \
        | grep -E 'steady end|threads during|^  [A-Za-z]' | head -8
      eb parity --model "$m" --rounds "${ROUNDS:-2}" --reps 5 --prompt 128 --gen 128 "${th[@]}" --ngl auto 2>&1 \
        | grep -E '^(parity: [^/]*threads|test |pp|tg|Like|  pp)' | tail -12
    done
    pack
    ;;
  decodeloop)
    src="$bundle/native/src/llama.cpp"
    lib="$bundle/native/build/cuda/lib"
    f="$EDGEBENCH_MODELS/Llama-3.2-1B/Llama-3.2-1B-Q4_0-seed2026-v1.gguf"
    [ -f "$f" ] || eb forge Llama-3.2-1B:Q4_0
    cc -std=c11 -O2 -I"$src/include" -I"$src/ggml/include" "$root/native/shim/test/decode_loop.c" \
      -L"$lib" -lllama -lggml-base -lggml-cpu -Wl,-rpath,"$lib" -o /tmp/decode_loop || { echo "decodeloop: compile failed"; exit 1; }
    for t in ${THREADS:-4 1}; do
      /tmp/decode_loop "$f" "$t" 128 "${REPS:-10}" 99
    done
    ;;
  servercost)
    shift
    [ $# -gt 0 ] || set -- Llama-3.2-1B:Q4_0 Llama-3.2-3B:Q4_K_M
    for m in "$@"; do
      start=$(date +%s)
      eb forge "$m" | tail -1
      eb server-cost --model "$m" --prompt 128 --gen 128 --rounds "${ROUNDS:-3}" --run-id "server-cost-${m//[:.]/_}" \
        > "$out/server-cost.tmp" 2>&1
      rc=$?
      sed -n '/^## What a server costs/,$p' "$out/server-cost.tmp"
      [ "$rc" = 0 ] || { echo "server-cost $m: exit $rc"; grep -v '^WARNING' "$out/server-cost.tmp" | tail -30; }
      rm -f "$out/server-cost.tmp"
      echo "server-cost $m: $(( $(date +%s) - start ))s"
    done
    (cd "$bundle" && find results/runs -path '*server-cost-*' \( -name run.json -o -name summary.md -o -name server-cost.md \) \
      | tar -czf "$out/servercost-results.tgz" -T -)
    ls -la "$out"
    ;;
  gapdiag)
    # one model's decode four ways, interleaved: llama-bench tg128; the same loop in C (decode_loop.c, llama-bench's
    # batch); edgebench's profile command (the step engine in the launching JVM, no JMH); edgebench's decode benchmark
    # (a JMH fork). Where the gap opens: C vs JVM process, or JVM vs JMH fork.
    m=${GAP_MODEL:-Llama-3.2-1B:Q4_0}
    f=$(eb forge "$m" 2>/dev/null | tail -1 | cut -f2)
    src="$bundle/native/src/llama.cpp"
    lib="$bundle/native/build/cuda/lib"
    lb="$bundle/native/build/cuda/bin/llama-bench"
    cc -std=c11 -O2 -I"$src/include" -I"$src/ggml/include" "$root/native/shim/test/decode_loop.c" \
      -L"$lib" -lllama -lggml-base -lggml-cpu -Wl,-rpath,"$lib" -o /tmp/decode_loop || { echo "gapdiag: compile failed"; exit 1; }
    for r in $(seq 1 "${ROUNDS:-3}"); do
      echo "== round $r"
      "$lb" -m "$f" -p 0 -n 128 -ngl 99 -t 4 -r 10 -o json 2>/dev/null \
        | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["samples_ts"]; print("llama-bench tg128 reps 2..10 mean %.2f tok/s" % (sum(s[1:])/len(s[1:])))'
      /tmp/decode_loop "$f" 4 128 10 99 | grep get_one
      eb profile --model "$m" --workload decode --steps 1280 --gen 128 --ngl auto 2>&1 | grep 'steady end'
      eb run --model "$m" --benchmarks decode --gen 128 --warmup 2 --samples 10 --no-telemetry --no-roofline \
        --run-id "gapdiag-$r" 2>&1 | grep -E 'decode.tok_s \(' | cut -c1-200
    done
    ;;
  hfcheck)
    # the forge's Hugging-Face checkpoint loaded by transformers (float32, on the GPU) against llama.cpp's logits for
    # the same F16 GGUF and token ids (native/shim/test/logits_dump.c), per model
    shift
    [ $# -gt 0 ] || set -- Llama-3.2-1B Qwen3-0.6B
    src="$bundle/native/src/llama.cpp"
    lib="$bundle/native/build/cuda/lib"
    cc -std=c11 -O2 -I"$src/include" -I"$src/ggml/include" "$root/native/shim/test/logits_dump.c" \
      -L"$lib" -lllama -lggml-base -Wl,-rpath,"$lib" -o /tmp/logits_dump || { echo "hfcheck: compile failed"; exit 1; }
    for m in "$@"; do
      start=$(date +%s)
      f=$(eb forge "$m:F16" 2>/dev/null | tail -1 | cut -f2)
      eb forge --hf /tmp/hf "$m" 2>&1 | tail -1
      ckpt=$(find /tmp/hf -maxdepth 1 -type d -name "$m-seed*" | head -1)
      /tmp/logits_dump "$f" "/tmp/$m.logits" "${HF_TOKENS:-64}" 2026 99 && python3 "$root/scripts/check-hf-transformers.py" "$ckpt" "/tmp/$m.logits"
      echo "hfcheck $m: rc $? in $(( $(date +%s) - start ))s"
    done
    ;;
  pinning)
    # is a run's decode rate decided when its process starts? llama-bench tg128 A/A, every run a fresh process, with no
    # CPU mask against one pinned to PIN_CPUS (default 0-7) with taskset, interleaved (ROUNDS, default 12); then the
    # decode benchmark the same way while time is left (BUDGET_S, default 200 s for the whole step). Prints, per
    # setting, the spread within runs (reps 2..5) and between runs (each run's mean).
    shift
    m=${1:-Qwen3-0.6B:Q4_0}
    deadline=$(( $(date +%s) + ${BUDGET_S:-200} ))
    lscpu | grep -E "^(CPU\(s\)|Thread|Core|Socket|NUMA|Model name)"
    nvidia-smi topo -m | head -4
    f=$(eb forge "$m" 2>/dev/null | tail -1 | cut -f2)
    lb="$bundle/native/build/cuda/bin/llama-bench"
    pin=${PIN_CPUS:-0-7}
    cpus=$(taskset -cp $$ | sed 's/.*: //')
    mkdir -p "$out/pinning"
    # one side's runs as fresh processes: CFG (free or pinned) and the round number
    lb_run() { "$lb" -m "$f" -p 0 -n 128 -t 4 -ngl 99 -r 5 -o json > "$out/pinning/lb-$1-$2.json" 2>/dev/null; }
    eb_run() {
      "$java" "${jopts[@]}" -jar "$jar" run --model "$m" --benchmarks decode --gen 128 --threads 4 --ngl 99 --warmup 1 \
        --samples 5 --forks 1 --no-telemetry --no-roofline --out "$out/pinning" --run-id "eb-$1-$2" > /dev/null 2>&1
    }
    # interleaved rounds of one side, unpinned and pinned, the order alternating, until the deadline: NAME ROUNDS FUNCTION
    pin_rounds() {
      for r in $(seq 1 "$2"); do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "pinning: out of time after $((r - 1)) $1 rounds"; break; }
        order="free pinned"
        [ $((r % 2)) = 0 ] && order="pinned free"
        for cfg in $order; do
          # the shell's own CPU mask, which the run inherits, then back to every CPU it had
          [ "$cfg" = pinned ] && taskset -cp "$pin" $$ > /dev/null
          "$3" "$cfg" "$r"
          taskset -cp "$cpus" $$ > /dev/null
        done
      done
    }
    pin_rounds llama-bench "${ROUNDS:-12}" lb_run
    pin_rounds edgebench "${EB_ROUNDS:-6}" eb_run
    python3 - "$out/pinning" <<'PY'
import glob, json, os, statistics as st, sys
d = sys.argv[1]
def runs(kind, cfg):
    out = []
    if kind == "lb":
        for f in sorted(glob.glob(f"{d}/lb-{cfg}-*.json")):
            try:
                s = json.load(open(f))[0]["samples_ts"][1:]
            except (ValueError, IndexError, KeyError):
                continue
            out.append(s)
    else:
        for f in sorted(glob.glob(f"{d}/eb-{cfg}-*/run.json")):
            for b in json.load(open(f))["benchmarks"]:
                if b["benchmark"] == "decode":
                    out.append(b["metrics"]["decode.tok_s"]["values"])
    return out
for kind in ("lb", "eb"):
    for cfg in ("free", "pinned"):
        rs = runs(kind, cfg)
        if len(rs) < 2:
            continue
        means = [st.mean(s) for s in rs]
        within = st.median([st.stdev(s) / st.mean(s) for s in rs])
        print(f"pinning: {kind} {cfg:6s} runs {len(rs):2d}  mean of runs {st.mean(means):8.2f} tok/s  range {min(means):.1f}..{max(means):.1f}"
              f"  between-run CV {100 * st.stdev(means) / st.mean(means):.2f}%  within-run CV (median) {100 * within:.2f}%")
        print("pinning:   runs: " + " ".join(f"{x:.1f}" for x in means))
PY
    ;;
  *) echo "unknown step $step"; exit 2;;
esac
