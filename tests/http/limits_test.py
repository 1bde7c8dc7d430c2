#!/usr/bin/env python3
"""HTTP front-end limits of evo-engine against the real binary (issue 16, defects 5-7), on
loopback, bounded in time and count, stopping by themselves:

- slow loris: 300 connections that each trickle one header byte every 4 s for about 6 s (an
  evicted or timed-out one reconnects at once) while a ping over a fresh connection every 50 ms
  must be answered within 100 ms; the whole-request deadline (--request-timeout 3) answers the
  trickling connections with 408;
- a 64 MiB chunked body is refused with 413 long before its end, three times, and the server's
  RSS does not grow by anything like the body;
- 4000 header lines of 7 KB, and 107 small header fields, get 431 before they are all sent.

EVO_ENGINE names the binary.
"""
import errno
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time

ENGINE = os.environ.get("EVO_ENGINE")
if not ENGINE:
    sys.exit("set EVO_ENGINE to the evo-engine binary")

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def start_server(work, *args):
    log = open(os.path.join(work, "server.log"), "w+")
    proc = subprocess.Popen(
        [ENGINE, "serve", "--http", "127.0.0.1:0", "--data-dir", os.path.join(work, "data"),
         "--log-level", "info", *args],
        stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        log.seek(0)
        m = re.search(r"http://127\.0\.0\.1:(\d+)/mcp", log.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    log.seek(0)
    sys.exit("the server did not start:\n" + log.read())


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def read_response(sock, timeout=5.0):
    """Reads one response with a Content-Length body; returns (status, headers, body), status 0
    when none came in time."""
    try:
        return read_response_or_raise(sock, timeout)
    except OSError:
        return 0, {}, b""


def read_response_or_raise(sock, timeout):
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def post(port, body, headers=None, timeout=5.0):
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    raw = body.encode()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall((f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   "Content-Type: application/json\r\n"
                   "Accept: application/json, text/event-stream\r\n"
                   f"Connection: close\r\n{extra}Content-Length: {len(raw)}\r\n\r\n").encode()
                  + raw)
        return read_response(s, timeout)


def initialize(port):
    status, headers, body = post(port, json.dumps({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "limits", "version": "1"}}}))
    sid = headers.get("mcp-session-id", "")
    if status != 200 or not sid:
        sys.exit(f"initialize failed: {status} {body[:200]}")
    post(port, '{"jsonrpc":"2.0","method":"notifications/initialized"}', {"Mcp-Session-Id": sid})
    return sid


def ping(port, sid, n):
    """One ping over a fresh connection; returns (latency in s, ok)."""
    started = time.monotonic()
    try:
        status, _, body = post(port, json.dumps({"jsonrpc": "2.0", "id": n, "method": "ping"}),
                               {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"},
                               timeout=3.0)
        ok = status == 200 and json.loads(body).get("result") == {}
    except (OSError, ValueError):  # refused, reset, or no reply in time
        ok = False
    return time.monotonic() - started, ok


def slow_loris(work):
    proc, port = start_server(work, "--request-timeout", "3")
    try:
        sid = initialize(port)
        baseline = [ping(port, sid, 1000 + i)[0] for i in range(5)]
        print(f"     baseline ping: max {max(baseline) * 1000:.1f} ms")

        attackers = 300
        duration = 6.0
        trickle = 4.0
        sel = selectors.DefaultSelector()
        lock = threading.Lock()
        stats = {"opened": 0, "refused": 0, "408": 0, "max_open": 0}
        stop = threading.Event()
        head = f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode()

        reopen = []

        def open_one(now):
            # Non-blocking, like a real attacker: connects that the server does not accept at
            # once stay pending (and crowd the listen queue) instead of being given up on.
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(("127.0.0.1", port))
            if err not in (0, errno.EINPROGRESS):
                s.close()
                stats["refused"] += 1
                reopen.append(now + trickle)
                return
            sel.register(s, selectors.EVENT_WRITE, {"next": now + trickle, "connected": False})

        def drop(s, now):
            sel.unregister(s)
            s.close()
            reopen.append(now + trickle)  # back at its next byte: the pressure stays

        def attack():
            start = time.monotonic()
            for _ in range(attackers):
                open_one(start)
            while not stop.is_set():
                now = time.monotonic()
                for key, _ in sel.select(timeout=0.02):
                    s = key.fileobj
                    if not key.data["connected"]:
                        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                            drop(s, now)
                            continue
                        try:
                            s.send(head)
                        except OSError:
                            drop(s, now)
                            continue
                        stats["opened"] += 1
                        sel.modify(s, selectors.EVENT_READ, {"next": now + trickle,
                                                             "connected": True})
                        continue
                    try:
                        data = s.recv(4096)
                    except OSError:
                        data = b""
                    if data.startswith(b"HTTP/1.1 408"):
                        stats["408"] += 1
                    drop(s, now)
                reopen.sort()
                while reopen and reopen[0] <= now:
                    reopen.pop(0)
                    open_one(now)
                connected = 0
                for key in list(sel.get_map().values()):
                    if not key.data["connected"]:
                        continue
                    connected += 1
                    if key.data["next"] <= now:
                        key.data["next"] = now + trickle
                        try:
                            key.fileobj.send(b"a")
                        except OSError:
                            pass
                stats["max_open"] = max(stats["max_open"], connected)
            for key in list(sel.get_map().values()):
                key.fileobj.close()
            sel.close()

        attacker = threading.Thread(target=attack)
        attacker.start()
        time.sleep(0.5)  # the 300 are connected
        latencies = []
        failures = 0
        n = 0
        end = time.monotonic() + duration
        while time.monotonic() < end:
            n += 1
            latency, ok = ping(port, sid, n)
            latencies.append(latency)
            failures += 0 if ok else 1
            time.sleep(0.05)
        stop.set()
        attacker.join(timeout=10)
        latencies.sort()
        worst = latencies[-1] if latencies else 99
        print(f"     {len(latencies)} pings under attack: median "
              f"{latencies[len(latencies) // 2] * 1000:.1f} ms, max {worst * 1000:.1f} ms; "
              f"attack connections opened {stats['opened']}, most open at once "
              f"{stats['max_open']}, 408s {stats['408']}")
        check("slow loris: the attack held its connections", stats["max_open"] >= 250,
              f"at most {stats['max_open']} open")
        check("slow loris: every ping answered", failures == 0 and len(latencies) >= 40,
              f"{failures} of {len(latencies)} failed")
        check("slow loris: pings answered within 100 ms", worst < 0.1,
              f"worst {worst * 1000:.1f} ms")
        check("slow loris: the request deadline answers trickling connections with 408",
              stats["408"] >= 100, f"{stats['408']} 408s")
        check("slow loris: the server still runs", proc.poll() is None)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def send_until_answered(sock, pieces, limit_bytes):
    """Sends pieces until a response arrives, a send fails or limit_bytes went out; returns the
    number of bytes sent."""
    sent = 0
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    deadline = time.monotonic() + 30
    pending = b""
    try:
        while sent < limit_bytes and time.monotonic() < deadline:
            events = sel.select(timeout=1.0)
            if any(mask & selectors.EVENT_READ for _, mask in events):
                break
            if not pending:
                pending = next(pieces, b"")
                if not pending:
                    break
            try:
                n = sock.send(pending)
            except BlockingIOError:
                continue
            except OSError:
                break
            sent += n
            pending = pending[n:]
    finally:
        sel.close()
        sock.setblocking(True)
    return sent


def chunked_body(work):
    proc, port = start_server(work)
    try:
        sid = initialize(port)
        before = rss_kib(proc.pid)
        total = 64 << 20
        piece = 64 << 10
        results = []
        for round_ in range(3):
            def chunks():
                frame = f"{piece:x}\r\n".encode() + b" " * piece + b"\r\n"
                for _ in range(total // piece):
                    yield frame
                yield b"0\r\n\r\n"
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall((f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           "Content-Type: application/json\r\n"
                           "Accept: application/json, text/event-stream\r\n"
                           f"Mcp-Session-Id: {sid}\r\nTransfer-Encoding: chunked\r\n\r\n")
                          .encode())
                sent = send_until_answered(s, chunks(), total + 1024)
                status, headers, body = read_response(s, 10)
            results.append((status, sent, body))
        after = rss_kib(proc.pid)
        for i, (status, sent, body) in enumerate(results):
            check(f"64 MiB chunked body #{i + 1}: 413", status == 413, f"status {status}")
            check(f"64 MiB chunked body #{i + 1}: refused early", sent < 24 << 20,
                  f"{sent} bytes went out before the reply")
        check("the 413 names the limit", b"4194304 bytes" in results[0][2], results[0][2][:200])
        print("     bytes sent before each 413: " +
              ", ".join(f"{sent / (1 << 20):.1f} MiB" for _, sent, _ in results))
        growth_mib = (after - before) / 1024
        print(f"     server RSS {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB after "
              f"three 64 MiB chunked bodies (+{growth_mib:.1f} MiB)")
        check("RSS does not grow by the bodies", growth_mib < 32, f"+{growth_mib:.1f} MiB")
        status, _, body = post(port, json.dumps({"jsonrpc": "2.0", "id": 5, "method": "ping"}),
                               {"Mcp-Session-Id": sid})
        check("a request after them is served", status == 200, f"{status} {body[:100]}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def header_limits(work):
    proc, port = start_server(work)
    try:
        sid = initialize(port)
        line = b"X-Big: " + b"h" * 7000 + b"\r\n"
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
            sent = send_until_answered(s, iter([line] * 4000), 4000 * len(line))
            status, headers, body = read_response(s, 10)
        check("4000 header lines of 7 KB: 431", status == 431, f"status {status}")
        check("431 before they are all sent", sent < 4000 * len(line) // 2, f"{sent} bytes sent")
        check("the 431 says which limit", b"65536 bytes" in body, body[:200])
        check("the 431 closes the connection", headers.get("connection") == "close", headers)

        many = {f"X-H{i}": "v" for i in range(101)}
        status, _, body = post(port, '{"jsonrpc":"2.0","id":2,"method":"ping"}',
                               {"Mcp-Session-Id": sid, **many})
        check("107 header fields: 431", status == 431, f"status {status}")
        check("the 431 names the count", b"more than 100 header fields" in body, body[:200])
        fewer = {f"X-H{i}": "v" for i in range(80)}
        status, _, _ = post(port, '{"jsonrpc":"2.0","id":3,"method":"ping"}',
                            {"Mcp-Session-Id": sid, **fewer})
        check("86 header fields: served", status == 200, f"status {status}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    with tempfile.TemporaryDirectory(prefix="evo-http-limits-") as work:
        for name, test in (("slow", slow_loris), ("chunked", chunked_body),
                           ("headers", header_limits)):
            sub = os.path.join(work, name)
            os.mkdir(sub)
            test(sub)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
