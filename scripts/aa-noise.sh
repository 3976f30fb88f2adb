#!/usr/bin/env bash
# A/A calibration: how noisy is this machine, and does compare stay quiet on it?
#
#   scripts/aa-noise.sh [--jar JAR] RUN_1 RUN_2 ... RUN_N     (N >= 3 run folders of the same build and preset)
#
# Compares every run with the first (N-1 comparisons) and each run with the next (N-1 more),
# with compare's defaults (results/compare.json), and prints: every comparison's exit code and
# per-metric change with its 95% CI and verdict; the false-positive count (exit code 1: a
# "regression" between identical builds); the within-run noise (CV and robust CV of each run's
# samples) and the between-run noise (CV of the run means). Set the suite's threshold above
# the between-run noise you see. Reports go to ${OUT:-/tmp/edgebench-aa}.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/benchmarks.jar
if [ "${1:-}" = --jar ]; then jar=$2; shift 2; fi
[ $# -ge 3 ] || { echo "usage: scripts/aa-noise.sh [--jar JAR] RUN_1 RUN_2 RUN_3 ..." >&2; exit 2; }
jdk=${JAVA_HOME:-$(scripts/find-jdk.sh)}
java=${jdk:+$jdk/bin/}java
out=${OUT:-/tmp/edgebench-aa}
rm -rf "$out"
mkdir -p "$out"
runs=("$@")
pairs=()
for ((i = 1; i < ${#runs[@]}; i++)); do pairs+=("first:0:$i" "next:$((i - 1)):$i"); done
for p in "${pairs[@]}"; do
  IFS=: read -r kind a b <<< "$p"
  dir="$out/$kind-$a-$b"
  set +e
  "$java" -jar "$jar" compare "${runs[$a]}" "${runs[$b]}" --out "$dir" --quiet --no-html 2> "$dir.log"
  echo $? > "$dir.rc"
  set -e
done
python3 - "$out" "${runs[@]}" <<'PY'
import json, os, statistics as st, sys
out, runs = sys.argv[1], sys.argv[2:]
def robust_cv(v):
    m = st.median(v)
    return 1.4826 * st.median([abs(x - m) for x in v]) / abs(m) if m else float('inf')
fp = {'first': 0, 'next': 0}
n = {'first': 0, 'next': 0}
verdicts = {}
print("comparison        rc  metric           change [95% CI]                 verdict")
for d in sorted(x for x in os.listdir(out) if os.path.isdir(os.path.join(out, x))):
    kind = d.split('-')[0]
    rc = int(open(os.path.join(out, d + '.rc')).read())
    n[kind] += 1
    fp[kind] += rc == 1
    if rc not in (0, 1):
        print(f"{d:16s}  {rc}   (no comparison: {open(os.path.join(out, d + '.log')).read().strip()[:100]})")
        continue
    c = json.load(open(os.path.join(out, d, 'compare.json')))
    rows = [(m['name'] + ' ' + m['metric'], m['ratio'], m['verdict'], m['reason']) for m in c['metrics']]
    rows += [(l['name'] + ' ' + l['tag'] + ' p%g' % l['percentile'], l['ratio'], l['verdict'], l['reason']) for l in c['latency']]
    for name, r, v, why in rows:
        key = 'too noisy' if why else v
        verdicts[key] = verdicts.get(key, 0) + 1
        v = why or v
        ci = '' if r['low'] is None else f"[{(r['low'] - 1) * 100:+.1f}%, {(r['high'] - 1) * 100:+.1f}%]"
        print(f"{d:16s}  {rc}   {name[:40]:40s} {(r['estimate'] - 1) * 100:+7.1f}% {ci:22s} {v}")
print()
print(f"false positives (exit 1 between identical builds): {fp['first']} of {n['first']} vs the first run, "
      f"{fp['next']} of {n['next']} consecutive pairs")
print("verdicts:", ', '.join(f"{k} {v}" for k, v in sorted(verdicts.items())))
print()
means = {}
for r in runs:
    doc = json.load(open(os.path.join(r, 'run.json') if os.path.isdir(r) else r))
    for b in doc['benchmarks']:
        for k, m in b.get('metrics', {}).items():
            if k != b['benchmark'] + '.tok_s':
                continue
            v = m['values']
            means.setdefault(b['id'], []).append((st.mean(v), st.stdev(v) / st.mean(v) if len(v) > 1 else 0, robust_cv(v)))
for bid, xs in means.items():
    ms = [x[0] for x in xs]
    print(f"{bid[:70]}")
    print(f"  within-run CV: median {st.median(x[1] for x in xs) * 100:.1f}%, max {max(x[1] for x in xs) * 100:.1f}%;"
          f" robust CV: median {st.median(x[2] for x in xs) * 100:.1f}%, max {max(x[2] for x in xs) * 100:.1f}%")
    print(f"  run means: {min(ms):.4g} .. {max(ms):.4g}, between-run CV {st.stdev(ms) / st.mean(ms) * 100:.1f}%"
          f" (max/min {max(ms) / min(ms):.2f})")
PY
