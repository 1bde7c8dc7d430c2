#!/usr/bin/env python3
"""Runs `evo-engine demo --json --clean` and checks its summary (ctest: demo_end_to_end).

With --keep (ctest: demo_memory) it runs `evo-engine demo --json` without --clean, in a
temporary TMPDIR, and also checks the memory files the server left in the demo's repository:
memory/results.tsv (a header and one row per evaluation, the seed's included) and a
short_term/gen_N.md per generation holding the reflect role's notes under `## Notes`. The
temporary directory is removed afterwards.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

LIMIT_S = 60.0


def check_memory(summary, check):
    """The files the server's memory writer put into <repo>/memory/ (memory/README.md)."""
    repo = summary.get("repo", "")
    memory = os.path.join(repo, "memory")
    results = os.path.join(memory, "results.tsv")
    check(os.path.normpath(summary.get("memory_dir", "")) == memory,
          f"memory_dir {summary.get('memory_dir')} is not {memory}/")
    check(summary.get("results_tsv") == results,
          f"results_tsv {summary.get('results_tsv')} is not {results}")
    if not os.path.isfile(results):
        check(False, f"{results} does not exist")
        return
    with open(results, encoding="utf-8") as f:
        rows = [line for line in f.read().split("\n") if line]
    check(rows and rows[0].startswith("generation\tbranch\tcommit\ttarget\toperation\tstatus\t"),
          f"results.tsv has no header: {rows[:1]}")
    # Rows = total_evals (the seed and cache hits included) + 1 header line.
    evaluations = summary.get("evaluations", 0)
    check(len(rows) == evaluations + 1,
          f"results.tsv has {len(rows)} lines, expected {evaluations} evaluations + 1 header")
    check(any(r.startswith("-1\tseed-baseline\t") for r in rows[1:]), "no seed row in results.tsv")
    statuses = [r.split("\t")[5] for r in rows[1:] if len(r.split("\t")) > 5]
    check(statuses.count("cached") == len(summary.get("cache_hits", [])),
          f"results.tsv has {statuses.count('cached')} cached rows, "
          f"expected {len(summary.get('cache_hits', []))}")

    tables = sorted(glob.glob(os.path.join(memory, "targets", "*", "short_term", "gen_*.md")))
    generations = [g.get("generation") for g in summary.get("per_generation", [])]
    names = {os.path.basename(t) for t in tables}
    for g in generations:
        check(f"gen_{g}.md" in names, f"no memory/targets/<id>/short_term/gen_{g}.md")
    written = summary.get("short_term", [])
    check(len(written) == len(generations),
          f"the reflect role wrote into {len(written)} tables, expected {len(generations)}")
    for path in written:
        if not os.path.isfile(path):
            check(False, f"{path} does not exist")
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        notes_at = text.find("\n## Notes\n")
        check(text.count("| ") > 0, f"{path} has no generation table")
        check(notes_at >= 0 and text.find("- best so far:", notes_at) > notes_at,
              f"{path}: the reflect role's notes are not under '## Notes'")
    check(not os.path.exists(os.path.join(os.path.dirname(repo), "reflect-notes.md")),
          "the demo still writes reflect-notes.md")


def main():
    args = [a for a in sys.argv[1:] if a != "--keep"]
    keep = len(args) != len(sys.argv) - 1
    if len(args) not in (1, 2):
        print("usage: check_demo.py /path/to/evo-engine [time limit in s, default 60] [--keep]",
              file=sys.stderr)
        return 2
    limit_s = float(args[1]) if len(args) == 2 else LIMIT_S
    cmd = [args[0], "demo", "--json"] + ([] if keep else ["--clean"])
    env = dict(os.environ)
    tmp = None
    if keep:
        tmp = tempfile.mkdtemp(prefix="evo-demo-check-")
        env["TMPDIR"] = tmp
    try:
        return run_and_check(cmd, env, limit_s, keep)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def run_and_check(cmd, env, limit_s, keep):
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=2 * limit_s, env=env)
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
    if keep:
        check(summary.get("cleaned") is False and os.path.isdir(summary.get("repo", "")),
              "without --clean the repository is gone")
        check_memory(summary, check)
    else:
        check(summary.get("cleaned") is True and not os.path.exists(summary.get("repo", "")),
              "--clean left the repository behind")

    if failures:
        print(json.dumps(summary, indent=2))
        for f in failures:
            print(f"FAIL: {f}")
        return 1
    print(f"ok: seed {seed:.4f} -> best {best:.4f} ({summary['improvement_pct']:.1f}% better), "
          f"{summary['evaluations']} evaluations, 1 rejection, {len(cache_hits)} cache hit(s), "
          f"{elapsed:.1f} s" + (", memory files checked" if keep else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
