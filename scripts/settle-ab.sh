#!/usr/bin/env bash
# CPU prefill with and without Settle (a sample's setup waits for the rest of edgebench to go quiet), against
# llama-bench, interleaved in rounds whose order rotates; then the comparison restricted to samples taken while
# the machine ran at its fast speed (a shared VM can switch between two speeds some 10% apart every few seconds,
# which a whole-run mean cannot see through).
#
#   scripts/settle-ab.sh [ROUNDS=6] [MODEL=Qwen3-0.6B:Q4_0] [FAST_TOK_S=180]
#
# FAST_TOK_S: the rate that separates the machine's two speeds for this model (look at llama-bench's samples:
# on the 2-core VM, Qwen3-0.6B Q4_0 pp128 at 2 threads ran at about 172 or about 191 tok/s). Needs `make native`
# and the jar (`make build`). Writes to ${OUT:-/tmp/edgebench-settle-ab}.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-6}
model=${2:-Qwen3-0.6B:Q4_0}
fast=${3:-180}
jdk=${JAVA_HOME:-$(scripts/find-jdk.sh)}
java=${jdk:+$jdk/bin/}java
out=${OUT:-/tmp/edgebench-settle-ab}
rm -rf "$out"
mkdir -p "$out"
threads=$(nproc)
file=$("$java" --enable-native-access=ALL-UNNAMED -jar target/benchmarks.jar forge "$model" | tail -1 | cut -f2)
for r in $(seq 1 "$rounds"); do
  case $((r % 3)) in 1) order="lb on off" ;; 2) order="on off lb" ;; *) order="off lb on" ;; esac
  for c in $order; do
    if [ "$c" = lb ]; then
      native/build/cpu/bin/llama-bench -m "$file" -p 128 -n 0 -t "$threads" -r 11 -o json 2>/dev/null > "$out/lb-$r.json"
    else
      settle=false
      [ "$c" = on ] && settle=true
      "$java" --enable-native-access=ALL-UNNAMED -Dedgebench.settle="$settle" \
        -jar target/benchmarks.jar run --model "$model" --benchmarks prefill --prompt 128 --threads "$threads" --warmup 1 \
        --samples 10 --prefill-repeat 1 --forks 1 --no-telemetry --no-roofline --out "$out" --run-id "$c-$r" > "$out/$c-$r.log" 2>&1
    fi
  done
  echo "settle-ab: round $r done ($order)"
done
python3 - "$out" "$fast" <<'PY'
import glob, json, random, statistics as st, sys
d, fast = sys.argv[1], float(sys.argv[2])
random.seed(3)
def lb(r):
    return json.load(open(f"{d}/lb-{r}.json"))[0]["samples_ts"][1:]
def eb(c, r):
    for b in json.load(open(f"{d}/{c}-{r}/run.json"))["benchmarks"]:
        if b["benchmark"] == "prefill":
            return b["metrics"]["prefill.tok_s"]["values"]
    return []
rounds = sorted(int(f.split("-")[-1][:-5]) for f in glob.glob(f"{d}/lb-*.json"))
for r in rounds:
    L = st.mean(lb(r))
    print(f"round {r}: llama-bench {L:.1f} | settle on {st.mean(eb('on', r)) / L:.4f} | off {st.mean(eb('off', r)) / L:.4f}"
          f"  samples on: {' '.join('%.0f' % x for x in eb('on', r))}  off: {' '.join('%.0f' % x for x in eb('off', r))}")
L = [x for r in rounds for x in lb(r) if x >= fast]
print(f"fast state (>= {fast:.0f} tok/s): llama-bench {len(L)} samples, median {st.median(L):.1f}")
for c in ("on", "off"):
    v = [x for r in rounds for x in eb(c, r)]
    F = [x for x in v if x >= fast]
    if len(F) < 3 or len(L) < 3:
        print(f"settle {c}: too few samples in the fast state ({len(F)})")
        continue
    b = sorted(st.median(random.choices(F, k=len(F))) / st.median(random.choices(L, k=len(L))) for _ in range(5000))
    print(f"settle {c}: {len(F)} of {len(v)} samples in the fast state, median {st.median(F):.1f}, "
          f"ratio to llama-bench {st.median(F) / st.median(L):.4f} (bootstrap 95% CI {b[125]:.4f}..{b[4874]:.4f})")
PY
