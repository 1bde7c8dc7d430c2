#!/usr/bin/env bash
# Runs one integration test file (or all of them): ./run.sh evolution.test.mjs
# EVO_ENGINE names the binary under test (ctest sets it); otherwise build-main/evo-engine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh"
cd "$here"
if [ "$#" -eq 0 ]; then
  set -- *.test.mjs
fi
exec node --test --test-concurrency=1 --test-reporter=spec "$@"
