#!/usr/bin/env bash
# Installs what is missing, builds evo-engine into build/, and runs its main job: the
# scripted demo evolution on the bundled example (no LLM needed).
set -euo pipefail
cd "$(dirname "$0")/.."
# Let ccache reuse objects across clones at different paths.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
./scripts/setup.sh
cmake --preset default >/dev/null
# Only the binary: the tests and benchmarks are the test command's business.
cmake --build --preset default -j2 --target evo-engine
exec ./build/evo-engine demo "$@"
