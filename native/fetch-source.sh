#!/usr/bin/env bash
# Fetches the pinned llama.cpp source into native/src/llama.cpp (see native/engine.lock).
# Downloads the npm package by name, checks its sha256, clones the git bundle inside it.
# Idempotent: does nothing when the stamp says the pinned source is already there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$here/engine.lock"
dest="$here/src/llama.cpp"
stamp="$here/src/.fetched-$NPM_PACKAGE-$NPM_VERSION"
cache="$here/cache"

if [ -f "$stamp" ] && [ -d "$dest/.git" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-source: npm is not installed; install Node.js/npm, or set LLAMA_CPP_SRC to a llama.cpp checkout" >&2; exit 2; }
command -v git >/dev/null || { echo "fetch-source: git is not installed" >&2; exit 2; }
mkdir -p "$cache" "$here/src"
tgz="$cache/$NPM_PACKAGE-$NPM_VERSION.tgz"
if [ ! -f "$tgz" ] || [ "$(sha256sum "$tgz" | cut -d' ' -f1)" != "$NPM_SHA256" ]; then
  echo "fetch-source: downloading $NPM_PACKAGE@$NPM_VERSION (npm pack, ~35 MB)" >&2
  rm -f "$tgz"
  (cd "$cache" && npm pack --silent "$NPM_PACKAGE@$NPM_VERSION" >/dev/null)
fi
got=$(sha256sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$NPM_SHA256" ]; then
  echo "fetch-source: sha256 mismatch for $tgz: expected $NPM_SHA256, got $got; refusing to build from it" >&2
  rm -f "$tgz"
  exit 3
fi
tmp=$(mktemp -d "$cache/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tgz" -C "$tmp" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json
release=$(sed -n 's/.*"tag": *"\([^"]*\)".*/\1/p' "$tmp/package/llama/llama.cpp.info.json")
if [ "$release" != "$LLAMA_CPP_RELEASE" ]; then
  echo "fetch-source: the package holds llama.cpp $release, engine.lock pins $LLAMA_CPP_RELEASE" >&2
  exit 3
fi
rm -rf "$dest.partial" "$dest"
git clone --quiet "$tmp/package/llama/gitRelease.bundle" "$dest.partial" 2>/dev/null
git -C "$dest.partial" -c advice.detachedHead=false checkout --quiet FETCH_HEAD 2>/dev/null || true
mv "$dest.partial" "$dest"
rm -f "$here"/src/.fetched-*
echo "$NPM_SHA256 $release $(git -C "$dest" rev-parse HEAD)" > "$stamp"
echo "fetch-source: llama.cpp $release at $dest" >&2
