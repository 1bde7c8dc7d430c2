#!/usr/bin/env bash
# Builds everything with warnings as errors and runs every test: unit suites, transcripts and
# real-process integration tests (official MCP SDK client, kill -9 recovery), then the unit
# suites again under AddressSanitizer + UndefinedBehaviorSanitizer. The include graph is checked
# against the allowed layers first (scripts/check_layers.py), and the formatting of every C++
# file (scripts/check_format.sh); clang-tidy runs over the production sources after the build
# (scripts/check_tidy.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Let ccache reuse objects across clones at different paths.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
./scripts/setup.sh --test

# Includes must follow the layer graph (STYLE.md) and every C++ file must be clang-formatted;
# either fails here, before any build.
python3 scripts/check_layers.py
./scripts/check_format.sh

jobs=2
cmake --preset werror >/dev/null
cmake --build --preset werror -j"$jobs"
# clang-tidy over the production sources (.clang-tidy), with the tree just built.
./scripts/check_tidy.sh build-werror
ctest --preset werror

if [ "${EVO_SKIP_ASAN:-0}" != "1" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j"$jobs"
  ctest --preset asan -LE integration
fi
