#!/usr/bin/env python3
"""Pipes each transcript (*.jsonl in this directory, or the files given with --file) into a
fresh server process and compares its replies. See README.md for the format.

usage: run_transcripts.py [--file T.jsonl ...] [--timeout S] -- SERVER [ARGS...]
"""

import argparse
import json
import pathlib
import queue
import subprocess
import sys
import threading

WILDCARD = "*"


def matches(expected, actual):
    """JSON equality where the string "*" matches any value, and an object holding the key "*"
    (with value "*") also accepts keys it does not list."""
    if expected == WILDCARD:
        return True
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        open_object = expected.get(WILDCARD) == WILDCARD
        keys = [k for k in expected if k != WILDCARD]
        if not open_object and set(keys) != set(actual):
            return False
        return all(k in actual and matches(expected[k], actual[k]) for k in keys)
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(matches(e, a) for e, a in zip(expected, actual)))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return expected == actual


def parse_transcript(path):
    """Returns [(line_to_send, [expected messages])]."""
    steps = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("> "):
            steps.append((raw[2:], []))
        elif raw.startswith("< "):
            if not steps:
                raise ValueError(f"{path}:{number}: '<' before any '>'")
            steps[-1][1].append((number, json.loads(raw[2:])))
        else:
            raise ValueError(f"{path}:{number}: lines start with '> ', '< ' or '#'")
    return steps


def ignorable(message, expected_list):
    # Log lines are the server's to send; they only count when a transcript expects one.
    return (message.get("method") == "notifications/message"
            and not any(isinstance(e, dict) and e.get("method") == "notifications/message"
                        for _, e in expected_list))


def run_one(path, command, timeout):
    steps = parse_transcript(path)
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    lines = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    failures = []

    def next_message():
        line = lines.get(timeout=timeout)
        if line is None:
            return None
        if line.count(b"\n") != 1 or not line.endswith(b"\n"):
            failures.append(f"output is not one message per line: {line!r}")
        return json.loads(line)

    try:
        for sent, expected in steps:
            proc.stdin.write(sent.encode("utf-8") + b"\n")
            proc.stdin.flush()
            pending = list(expected)
            while pending:
                try:
                    message = next_message()
                except queue.Empty:
                    failures.append(f"timed out waiting for line {pending[0][0]} after: {sent}")
                    break
                if message is None:
                    failures.append(f"server exited; still expected line {pending[0][0]}")
                    break
                hit = next((p for p in pending if matches(p[1], message)), None)
                if hit is not None:
                    pending.remove(hit)
                elif not ignorable(message, expected):
                    failures.append(f"unexpected message after {sent}: {json.dumps(message)}")
        proc.stdin.close()
        # EOF: the server must exit cleanly and send nothing unexpected on the way out.
        while True:
            try:
                message = next_message()
            except queue.Empty:
                failures.append("server did not exit after EOF")
                break
            if message is None:
                break
            if not ignorable(message, []):
                failures.append(f"unexpected message at EOF: {json.dumps(message)}")
        code = proc.wait(timeout=timeout)
        if code != 0:
            failures.append(f"exit code {code} after EOF")
    finally:
        if proc.poll() is None:
            proc.kill()
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", action="append", type=pathlib.Path, default=[])
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the server command after --")
    files = args.file or sorted(pathlib.Path(__file__).parent.glob("*.jsonl"))
    failed = 0
    for path in files:
        failures = run_one(path, command, args.timeout)
        print(f"{'PASS' if not failures else 'FAIL'} {path.name}")
        for f in failures:
            print(f"    {f}")
        failed += bool(failures)
    print(f"{len(files) - failed}/{len(files)} transcripts passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
