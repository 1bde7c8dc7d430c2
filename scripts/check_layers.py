#!/usr/bin/env python3
"""Fails when an #include crosses the allowed layer graph (STYLE.md: layering is enforced).

Linking alone cannot catch a wrong include: every target exports the repository root, the
third-party headers sit in /usr/include, and header-only libraries link anyway. So this reads
every tracked C++ file, maps it and each project header it includes to a layer by its folder,
and checks both the project edges and the third-party headers against the tables below.
Run from anywhere; prints each violation as file:line and exits 1 when there is one.
"""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Layer of a path: the longest prefix listed here. Tests and benchmarks may include anything.
LAYERS = {
    "core": "core",
    "selection": "selection",
    "policy": "policy",
    "git": "git",
    "state": "state",
    "wire": "wire",
    "store": "store",
    "subprocess": "subprocess",
    "mcp": "mcp",
    "mcp/transport": "transport",
    "assets": "assets",
    "memory": "memory",
    "engine": "engine",
    "content": "content",
    "install": "install",
    "demo": "demo",
    "app": "app",
    "tests": "tests",
    "bench": "tests",
}

# Which layers each layer may include (itself always). Pure layers first.
ALLOWED = {
    "core": set(),
    "selection": {"core"},
    "policy": {"core"},
    "git": {"core", "policy"},
    "state": {"core", "selection", "policy"},
    "wire": {"core", "policy", "state"},
    "store": {"core"},
    "subprocess": {"core"},
    "mcp": {"core"},
    "transport": {"core", "mcp"},
    "assets": {"core"},
    "memory": {"core", "state", "git", "assets"},
    "engine": {"core", "selection", "policy", "git", "state", "wire", "store", "mcp", "memory"},
    "content": {"core", "state", "wire", "engine", "memory", "mcp", "git", "store", "assets"},
    "install": {"core", "assets", "subprocess"},
    "demo": {"core", "subprocess", "state", "wire"},
    "app": None,  # the composition root: anything
    "tests": None,
}

# Third-party headers that only some layers may include (the first path component of the
# include). The pure layers take none of the I/O libraries; nlohmann_json is a value type.
RESTRICTED = {
    "git2.h": {"git"},
    "git2": {"git"},
    "sqlite3.h": {"store"},
    "httplib.h": {"transport"},
    "asio.hpp": {"transport"},
    "asio": {"transport"},
    "openssl": {"transport", "content", "mcp"},
    "valijson": {"mcp"},
    "CLI": {"app", "install", "demo"},
    "spdlog": {"mcp", "transport", "engine", "memory", "content", "install", "demo", "app"},
}

# Known crossings, each with the move that removes it. They are printed on every run; any other
# crossing fails. An entry whose include is gone fails too, so the list only shrinks.
EXCEPTIONS: dict = {}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layer_of(path: str):
    best = None
    for prefix, layer in LAYERS.items():
        if path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, layer)
    if best is None:
        return None
    return best[1]


def main() -> int:
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "*.cpp", "*.h", "*.hpp"],
                           check=True, capture_output=True, text=True).stdout.split()
    problems = []
    excepted = set()
    for rel in files:
        src = layer_of(rel)
        if src is None or ALLOWED.get(src, set()) is None:
            continue
        allowed = ALLOWED[src] | {src}
        try:
            lines = (ROOT / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            continue
        for n, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, inc = m.groups()
            if kind == '"' and "/" in inc and (ROOT / inc).exists():
                dst = layer_of(inc)
                if dst is not None and dst not in allowed and (rel, inc) in EXCEPTIONS:
                    excepted.add((rel, inc))
                    print(f"{rel}:{n}: known crossing ({EXCEPTIONS[(rel, inc)]})")
                elif dst is not None and dst not in allowed:
                    problems.append(f"{rel}:{n}: layer '{src}' may not include '{inc}' "
                                    f"(layer '{dst}'); allowed: {', '.join(sorted(allowed))}")
            elif kind == "<":
                top = inc.split("/")[0]
                if top in RESTRICTED and src not in RESTRICTED[top]:
                    problems.append(f"{rel}:{n}: layer '{src}' may not include <{inc}> "
                                    f"(only {', '.join(sorted(RESTRICTED[top]))})")
    for gone in sorted(set(EXCEPTIONS) - excepted):
        problems.append(f"{gone[0]}: the known crossing to {gone[1]} is gone: remove it from "
                        "EXCEPTIONS")
    for p in problems:
        print(p)
    if problems:
        print(f"layering: {len(problems)} include(s) against the allowed graph "
              "(scripts/check_layers.py)", file=sys.stderr)
        return 1
    print(f"layering: {len(files)} files, every include within the allowed graph")
    return 0


if __name__ == "__main__":
    sys.exit(main())
