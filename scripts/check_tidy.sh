#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy: warnings are errors) over every production .cpp (every tracked
# one outside tests/ and bench/), with the compile commands of a configured and built tree
# (default build-werror, which the test command builds first: generated headers must exist).
# Fails on any warning and names it.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-werror}"
[ -f "$build/compile_commands.json" ] || { echo "check_tidy: no $build/compile_commands.json (configure and build it first)" >&2; exit 1; }
runner="$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)"
[ -n "$runner" ] || { echo "check_tidy: run-clang-tidy not found (Debian package clang-tidy)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' | grep -v -E '^(tests|bench)/' | sed "s#^#$PWD/#")
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$runner" -p "$build" -j 2 -quiet "${files[@]}" > "$log" 2>&1; then
  grep -E "(warning|error):" "$log" | sed 's/\x1b\[[0-9;]*m//g' | sort -u >&2 || true
  echo "check_tidy: clang-tidy found problems (above)" >&2
  exit 1
fi
echo "check_tidy: ${#files[@]} files, no clang-tidy warning"
