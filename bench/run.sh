#!/usr/bin/env bash
# evo-engine benchmarks (issue #6): builds the default preset, runs every benchmark, prints
# their tables and writes the figures to build/bench/*.json. Not part of the test pass/fail.
#   bench/run.sh           the full set (100k evaluations; a few minutes)
#   bench/run.sh --quick   10k evaluations, to try a change
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

evals=100000
full_evals=10000  # sync=full pays one fsync per call (~4 ms here): 100k would take many minutes
if [[ "${1:-}" == "--quick" ]]; then
  evals=10000
  full_evals=2000
fi

cmake --preset default
cmake --build --preset default

bin=build/bench
out=build/bench
store="$(mktemp -d "${TMPDIR:-/tmp}/evo-bench-store-XXXXXX")"
trap 'rm -rf "$store"' EXIT

# 1 and 4: per-report cost as the run grows, peak memory (the 3-objective store is kept for 6).
"$bin/bench_report" --objectives 1 --evals "$evals" --json "$out/report_1obj.json"
"$bin/bench_report" --objectives 3 --evals "$evals" --data-dir "$store/run" \
  --json "$out/report_3obj.json"
"$bin/bench_report" --objectives 3 --evals "$full_evals" --sync full --marks 1000,"$full_evals" \
  --json "$out/report_3obj_sync_full.json"
# 2: select over 10k active individuals x 3 objectives.
"$bin/bench_select" --json "$out/select.json"
# 3: stdio round trip of fitness_ready against ping on the same server.
"$bin/bench_wire" --json "$out/wire.json"
# 5: 32 concurrent clients over Streamable HTTP against ping on the same server; every report
# counted exactly once.
"$bin/bench_http" --json "$out/http.json"
# 6 (and the server half of 4): restart on the 100k store until evo_get_status answers.
"$bin/bench_recovery" --data-dir "$store/run" --json "$out/recovery.json"

echo
echo "figures: $out/*.json"
