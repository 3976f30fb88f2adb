#!/usr/bin/env bash
# Checks that edgebench_request.h is plain C: it must compile as C11 with -pedantic -Werror
# and as C++17 with the same warnings, and keep the struct layout the Java bindings assume.
#   native/shim/check-abi.sh      (CC and CXX choose the compilers; default cc and c++)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-cc}
cxx=${CXX:-c++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cc" -std=c11 -pedantic -Werror -Wall -Wextra -c "$here/test/abi_layout.c" -o "$tmp/c.o"
"$cxx" -std=c++17 -pedantic -Werror -Wall -Wextra -x c++ -c "$here/test/abi_layout.c" -o "$tmp/cxx.o"
echo "native/shim: edgebench_request.h compiles as C11 and C++17 (pedantic, -Werror)"
