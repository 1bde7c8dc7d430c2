#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy: warnings are errors) over every production .cpp, with the
# compile commands of a configured and built tree (default build-werror, which the test command
# builds first: generated headers must exist). Fails on any warning and names it.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-werror}"
[ -f "$build/compile_commands.json" ] || { echo "check_tidy: no $build/compile_commands.json (configure and build it first)" >&2; exit 1; }
runner="$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)"
[ -n "$runner" ] || { echo "check_tidy: run-clang-tidy not found (Debian package clang-tidy)" >&2; exit 1; }
layers="core|selection|policy|git|state|store|subprocess|mcp|assets|memory|engine|content|install|demo|app"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$runner" -p "$build" -j 2 -quiet "^$PWD/($layers)/.*\.cpp\$" > "$log" 2>&1; then
  grep -E "(warning|error):" "$log" | sed 's/\x1b\[[0-9;]*m//g' | sort -u >&2 || true
  echo "check_tidy: clang-tidy found problems (above)" >&2
  exit 1
fi
echo "check_tidy: $(grep -c '' <(git ls-files "*.cpp" | grep -E "^($layers)/")) files, no clang-tidy warning"
