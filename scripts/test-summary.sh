#!/usr/bin/env bash
# Prints the test totals of the last Maven run (surefire's reports), as one closing line:
# "tests: N passed, N failed, N skipped" (errors count as failed).
set -uo pipefail
dir=${1:-target/surefire-reports}
compgen -G "$dir/TEST-*.xml" >/dev/null || { echo "tests: no surefire reports in $dir"; exit 0; }
awk '
  /<testsuite / {
    for (i = 1; i <= NF; i++) {
      if (match($i, /^(tests|failures|errors|skipped)="[0-9]+"/)) {
        split($i, kv, "\""); k = substr($i, 1, index($i, "=") - 1); sum[k] += kv[2]
      }
    }
  }
  END {
    failed = sum["failures"] + sum["errors"]
    printf "tests: %d passed, %d failed, %d skipped\n", sum["tests"] - failed - sum["skipped"], failed, sum["skipped"]
  }' "$dir"/TEST-*.xml
