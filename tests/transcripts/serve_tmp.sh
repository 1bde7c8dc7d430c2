#!/bin/sh
# Runs `evo-engine serve --stdio` on a fresh data dir, removed when the server exits.
# usage: serve_tmp.sh /path/to/evo-engine
dir=$(mktemp -d "${TMPDIR:-/tmp}/evo-transcript-XXXXXX") || exit 1
"$1" serve --stdio --data-dir "$dir" --log-level off
rc=$?
rm -rf "$dir"
exit $rc
