#!/usr/bin/env bash
# Installs the integration tests' node_modules with `npm ci`, only when they are missing or do
# not match package-lock.json. Needs Node >= 20 and the npm registry. Safe to run concurrently
# (ctest -j): installs are serialized with flock.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! command -v node >/dev/null 2>&1; then
  echo "setup.sh: node is not on PATH (Node >= 20 is required)" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "setup.sh: Node >= 20 is required, found $(node --version)" >&2
  exit 1
fi

stamp="node_modules/.evo-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
fresh() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d node_modules/@modelcontextprotocol/sdk ]; }

fresh && exit 0
exec 9>"$here/.setup.lock"
flock 9
fresh && exit 0
echo "setup.sh: installing node_modules (npm ci)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" > "$stamp"
