#!/usr/bin/env python3
"""Runs `evo-engine demo --json --clean` and checks its summary (ctest: demo_end_to_end)."""

import json
import os
import subprocess
import sys
import time

LIMIT_S = 60.0


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: check_demo.py /path/to/evo-engine [time limit in s, default 60]",
              file=sys.stderr)
        return 2
    limit_s = float(sys.argv[2]) if len(sys.argv) == 3 else LIMIT_S
    cmd = [sys.argv[1], "demo", "--json", "--clean"]
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=2 * limit_s)
    except subprocess.TimeoutExpired:
        print(f"FAIL: {' '.join(cmd)} did not finish within {2 * limit_s:.0f} s")
        return 1
    elapsed = time.monotonic() - started
    print(proc.stderr, end="")  # the human progress, for the test log

    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    check(proc.returncode == 0, f"exit code {proc.returncode}, expected 0")
    check(elapsed < limit_s, f"took {elapsed:.1f} s, limit {limit_s:.0f} s")
    try:
        summary = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        print(f"FAIL: stdout is not JSON ({e}):\n{proc.stdout}")
        return 1

    check(summary.get("ok") is True, "summary.ok is not true")
    check(summary.get("finished") is True, "the run did not finish")
    seed, best = summary.get("seed_fitness"), summary.get("best_fitness")
    check(isinstance(seed, (int, float)) and isinstance(best, (int, float)) and best < seed,
          f"best fitness {best} does not beat the seed {seed}")
    check((summary.get("improvement_pct") or 0) > 0,
          f"improvement_pct {summary.get('improvement_pct')} is not positive")
    rejections = summary.get("rejections", [])
    check(len(rejections) == 1, f"{len(rejections)} rejections, expected exactly 1")
    check(all("benchmark" in r.get("reason", "") for r in rejections),
          f"the rejection does not name the benchmark file: {rejections}")
    cache_hits = summary.get("cache_hits", [])
    check(len(cache_hits) >= 1, "no cache hit")
    check(all(h.get("cache_of") for h in cache_hits), f"a cache hit has no cache_of: {cache_hits}")
    check(summary.get("best_overall_tag_ok") is True, "best-overall does not tag the best branch")
    check(summary.get("archive_refs", 0) > 0, "no eliminated branch was archived")
    check(len(summary.get("per_generation", [])) == summary.get("generations"),
          "per_generation does not list every generation")
    check(summary.get("evaluations", 0) >= summary.get("benchmarks_run", 0),
          "the server counted fewer evaluations than benchmarks were run")
    check(not summary.get("server_warnings"), f"server warnings: {summary.get('server_warnings')}")
    check(summary.get("cleaned") is True and not os.path.exists(summary.get("repo", "")),
          "--clean left the repository behind")

    if failures:
        print(json.dumps(summary, indent=2))
        for f in failures:
            print(f"FAIL: {f}")
        return 1
    print(f"ok: seed {seed:.4f} -> best {best:.4f} ({summary['improvement_pct']:.1f}% better), "
          f"{summary['evaluations']} evaluations, 1 rejection, {len(cache_hits)} cache hit(s), "
          f"{elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
