#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance, the whole active
# server suite) against `evo-engine-conformance serve --http 127.0.0.1:0`: evo-engine's own
# command line and composition with the suite's fixtures added (server_main.cpp).
# Installs Node 22 and the suite from npm into node_modules here on first use (package-lock.json
# pins them). EVO_ENGINE names the binary (ctest sets it). Extra arguments go to the suite, e.g.
# ./run.sh --scenario tools-call-sampling. Exits non-zero when any check fails or warns: the
# suite's own exit code ignores warnings, so every checks.json it wrote is read afterwards.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
engine="${EVO_ENGINE:-$here/../../build/evo-engine-conformance}"
[ -x "$engine" ] || { echo "run.sh: evo-engine-conformance not found at $engine (set EVO_ENGINE)" >&2; exit 1; }

stamp="node_modules/.evo-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
fresh() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/.bin/conformance ]; }
if ! fresh; then
  exec 9>"$here/.setup.lock"
  flock 9
  if ! fresh; then
    echo "run.sh: installing Node 22 and the conformance suite (npm ci)" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
    echo "$want" > "$stamp"
  fi
  flock -u 9
fi
export PATH="$here/node_modules/.bin:$PATH"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 22 ] || { echo "run.sh: Node 22 expected, got $(node --version)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/evo-conformance-XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "${EVO_KEEP_TMP:-0}" != 1 ]; then rm -rf "$work"; else echo "run.sh: kept $work" >&2; fi
}
trap cleanup EXIT

"$engine" serve --http 127.0.0.1:0 --data-dir "$work/data" \
  --log-level info 2> "$work/server.log" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/mcp' "$work/server.log" | head -1 || true)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "run.sh: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
echo "run.sh: evo-engine at $url; running the active conformance suite" >&2

status=0
conformance server --url "$url" -o "$work/results" "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "run.sh: the conformance suite failed (exit $status); server log tail:" >&2
  tail -40 "$work/server.log" >&2
fi

# Every check with status WARNING or FAILURE, one per line, from every checks.json written.
bad="$(node - "$work/results" <<'EOF_NODE'
const fs = require("fs");
const path = require("path");
const found = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name === "checks.json") found.push(full);
  }
};
if (fs.existsSync(process.argv[2])) walk(process.argv[2]);
if (found.length === 0) console.log("no checks.json under " + process.argv[2]);
for (const file of found) {
  let checks;
  try {
    checks = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    console.log(path.basename(path.dirname(file)) + ": unreadable checks.json: " + e.message);
    continue;
  }
  for (const c of Array.isArray(checks) ? checks : []) {
    if (c.status !== "WARNING" && c.status !== "FAILURE") continue;
    const why = c.errorMessage || c.description || "";
    console.log(`${path.basename(path.dirname(file))}: ${c.status} ${c.id || c.name}${why ? ": " + why : ""}`);
  }
}
EOF_NODE
)" || bad="run.sh: could not read the results: $bad"
if [ -n "$bad" ]; then
  echo "run.sh: checks with status WARNING or FAILURE:" >&2
  printf '%s\n' "$bad" >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
