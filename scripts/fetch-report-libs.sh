#!/usr/bin/env bash
# Fetches the pinned chart libraries of compare's HTML report (scripts/report-libs.lock) from the
# npm registry and lays them out as jar resources:
#
#   scripts/fetch-report-libs.sh OUT_DIR
#
# writes OUT_DIR/dev/edgebench/compare/vendor/<name>.js, <name>.LICENSE and vendor.json (name,
# version, tarball sha256, license of each). Tarballs are cached in $EDGEBENCH_NPM_CACHE
# (default ~/.cache/edgebench/npm); a tarball whose sha256 does not match the lock is refused.
# Maven runs this in generate-resources; nothing it writes is committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: fetch-report-libs.sh OUT_DIR}
lock="$here/report-libs.lock"
cache=${EDGEBENCH_NPM_CACHE:-${HOME:-/tmp}/.cache/edgebench/npm}
dest="$out/dev/edgebench/compare/vendor"
mkdir -p "$cache" "$dest"
stamp="$out/../report-libs.stamp"
lock_sum=$(sha256sum "$lock" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] && [ -f "$dest/vendor.json" ]; then
  exit 0
fi
json="["
sep=""
while read -r name version sha file license; do
  case "$name" in ''|'#'*) continue;; esac
  tgz="$cache/$name-$version.tgz"
  if [ ! -f "$tgz" ] || [ "$(sha256sum "$tgz" | cut -d' ' -f1)" != "$sha" ]; then
    command -v npm >/dev/null || { echo "fetch-report-libs: npm is not installed and $tgz is not cached; install npm" >&2; exit 2; }
    echo "fetch-report-libs: downloading $name@$version (npm pack)" >&2
    rm -f "$tgz"
    tmp=$(mktemp -d "$cache/pack.XXXXXX")
    (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null 2>&1) || { rm -rf "$tmp"; echo "fetch-report-libs: npm pack $name@$version failed" >&2; exit 2; }
    mv "$tmp"/*.tgz "$tgz"
    rm -rf "$tmp"
  fi
  got=$(sha256sum "$tgz" | cut -d' ' -f1)
  if [ "$got" != "$sha" ]; then
    echo "fetch-report-libs: sha256 mismatch for $name@$version: expected $sha, got $got; refusing it" >&2
    rm -f "$tgz"
    exit 3
  fi
  tar -xzf "$tgz" -O "$file" > "$dest/$name.js"
  lic=$(tar -tzf "$tgz" | grep -m1 -E '^package/LICENSE(\.md)?$' || true)
  [ -n "$lic" ] && tar -xzf "$tgz" -O "$lic" > "$dest/$name.LICENSE"
  json="$json$sep{\"name\":\"$name\",\"version\":\"$version\",\"tarballSha256\":\"$sha\",\"file\":\"${file#package/}\",\"license\":\"$license\"}"
  sep=","
done < "$lock"
echo "$json]" > "$dest/vendor.json"
echo "$lock_sum" > "$stamp"
