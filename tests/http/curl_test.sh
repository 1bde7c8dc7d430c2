#!/usr/bin/env bash
# curl-level tests of evo-engine's Streamable HTTP transport, one per HTTP rule: 406, 400, 404,
# 403 (Origin), 403 (Host rebinding), 401 (bearer token), 413 (body limit), plus the session
# lifecycle, 202 for notifications, SSE with resumable event ids, DELETE, the bind rule, 408 for
# a read timeout, the session and in-flight caps under concurrency, and a 2026-07-28 stateless
# client. EVO_ENGINE names the binary.
set -uo pipefail
engine="${EVO_ENGINE:?set EVO_ENGINE to the evo-engine binary}"
# The test binary with the conformance suite's fixtures (tests/conformance/server_main.cpp).
conformance="${EVO_ENGINE_CONFORMANCE:?set EVO_ENGINE_CONFORMANCE to the evo-engine-conformance binary}"
work="$(mktemp -d "${TMPDIR:-/tmp}/evo-http-curl-XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok   $1"
  else failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}
contains() {  # contains NAME NEEDLE HAYSTACK
  if [[ "$3" == *"$2"* ]]; then passed=$((passed + 1)); echo "ok   $1"
  else failed=$((failed + 1)); echo "FAIL $1: '$2' not in: ${3:0:300}"; fi
}

# start_at NAME ADDR ARGS...: starts a server at ADDR (port 0: a free one); sets URL (always
# through 127.0.0.1) and PORT.
start_at() {
  local name="$1" addr="$2"; shift 2
  "${server_bin:-$engine}" serve --http "$addr" --data-dir "$work/$name-data" --log-level info "$@" \
    2> "$work/$name.log" &
  pids+=($!)
  URL=""
  for _ in $(seq 1 100); do
    PORT="$(grep -o 'http://[0-9.]*:[0-9]*/mcp' "$work/$name.log" | head -1 | sed 's|.*:\([0-9]*\)/mcp|\1|' || true)"
    [ -n "$PORT" ] && URL="http://127.0.0.1:$PORT/mcp" && return 0
    sleep 0.1
  done
  echo "server $name did not start"; cat "$work/$name.log"; exit 1
}
# start NAME ARGS...: starts a server on 127.0.0.1 and a free port.
start() { local name="$1"; shift; start_at "$name" 127.0.0.1:0 "$@"; }

INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
LIST='{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
BOTH='Accept: application/json, text/event-stream'
JSON='Content-Type: application/json'
status() { curl -s -o "$work/body" -w '%{http_code}' -H 'Expect:' "$@"; }

start main
# A session: initialize gets a random Mcp-Session-Id (32 hex digits from OpenSSL's RNG).
curl -s -D "$work/h1" -o "$work/b1" -H "$JSON" -H "$BOTH" -d "$INIT" "$URL"
SID="$(grep -i '^mcp-session-id:' "$work/h1" | tr -d '\r' | awk '{print $2}')"
check "initialize sets a 32-hex-digit Mcp-Session-Id" 1 "$([[ "$SID" =~ ^[0-9a-f]{32}$ ]] && echo 1)"
curl -s -D "$work/h2" -o /dev/null -H "$JSON" -H "$BOTH" -d "$INIT" "$URL"
SID2="$(grep -i '^mcp-session-id:' "$work/h2" | tr -d '\r' | awk '{print $2}')"
check "two sessions get different ids" 1 "$([ -n "$SID2" ] && [ "$SID" != "$SID2" ] && echo 1)"
contains "initialize answers 2025-11-25" '"protocolVersion":"2025-11-25"' "$(cat "$work/b1")"

# 406: Accept must list both application/json and text/event-stream.
check "406 without Accept" 406 "$(status -H "$JSON" -H "Mcp-Session-Id: $SID" -d "$LIST" "$URL")"
check "406 with Accept: application/json only" 406 \
  "$(status -H "$JSON" -H 'Accept: application/json' -H "Mcp-Session-Id: $SID" -d "$LIST" "$URL")"
check "406 on GET without text/event-stream" 406 \
  "$(status -X GET -H 'Accept: application/json' -H "Mcp-Session-Id: $SID" "$URL")"
# 400: a request other than initialize needs Mcp-Session-Id.
check "400 without Mcp-Session-Id" 400 "$(status -H "$JSON" -H "$BOTH" -d "$LIST" "$URL")"
contains "400 names the missing header" "Mcp-Session-Id" "$(cat "$work/body")"
check "400 for an unsupported MCP-Protocol-Version" 400 \
  "$(status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 1999-01-01' -d "$LIST" "$URL")"
check "400 for invalid JSON" 400 \
  "$(status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $SID" -d '{"jsonrpc":' "$URL")"
check "415 for a body that is not JSON" 415 \
  "$(status -H 'Content-Type: text/plain' -H "$BOTH" -H "Mcp-Session-Id: $SID" -d "$LIST" "$URL")"
# 404: an unknown session, and one that ended.
check "404 for an unknown session" 404 \
  "$(status -H "$JSON" -H "$BOTH" -H 'Mcp-Session-Id: 0123456789abcdef0123456789abcdef' -d "$LIST" "$URL")"
check "404 outside /mcp" 404 "$(status -H "$JSON" -H "$BOTH" -d "$INIT" "${URL%/mcp}/other")"
check "405 for PUT" 405 "$(status -X PUT -H "$JSON" -d "$LIST" "$URL")"
# 202 for notifications; replies for requests.
check "202 for a notification" 202 \
  "$(status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $SID" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$URL")"
check "200 for tools/list" 200 \
  "$(status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-11-25' -d "$LIST" "$URL")"
contains "tools/list lists evo_step" '"evo_step"' "$(cat "$work/body")"
# In the production binary none of the suite's tools, prompts or resources are there.
check "no fixture tool in evo-engine" 0 "$(grep -c 'test_simple_text' "$work/body")"
status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $SID" -d '{"jsonrpc":"2.0","id":3,"method":"prompts/list"}' "$URL" > /dev/null
check "no fixture prompt in evo-engine" 0 "$(grep -c 'test_simple_prompt' "$work/body")"
status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $SID" -d '{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"test://static-text"}}' "$URL" > /dev/null
contains "no fixture resource in evo-engine" '"error"' "$(cat "$work/body")"
check "and nothing of it is read" 0 "$(grep -c 'static text resource' "$work/body")"
check "and no flag adds them" 1 \
  "$(if "$engine" serve --http 127.0.0.1:0 --conformance-fixtures --data-dir "$work/flag" \
        > /dev/null 2>&1; then echo 0; else echo 1; fi)"
# 403: a foreign Origin; 403 for a rebinding Host (evil.example.com resolving to 127.0.0.1).
check "403 for a foreign Origin" 403 \
  "$(status -H "$JSON" -H "$BOTH" -H 'Origin: http://evil.example.com' -d "$INIT" "$URL")"
check "a loopback Origin is accepted" 200 \
  "$(status -H "$JSON" -H "$BOTH" -H "Origin: http://localhost:3000" -d "$INIT" "$URL")"
check "403 for Host: evil.example.com" 403 \
  "$(status -H "$JSON" -H "$BOTH" -H 'Host: evil.example.com' -d "$INIT" "$URL")"
check "403 for Host: evil.example.com:PORT" 403 \
  "$(status -H "$JSON" -H "$BOTH" -H "Host: evil.example.com:${URL##*:}" -d "$INIT" "$URL")"
# 413: a body over the limit (--max-body-bytes, 4 MiB by default).
head -c 5000000 /dev/zero | tr '\0' ' ' > "$work/big"
check "413 for a 5 MB body" 413 \
  "$(status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $SID" --data-binary @"$work/big" "$URL")"
contains "413 says what the limit is" "4194304 bytes" "$(cat "$work/body")"
# SSE: a request whose reply is not ready at once is streamed with event ids; GET resumes.
PROGRESS='{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"evo_list_runs","arguments":{},"_meta":{"progressToken":"t"}}}'
sse="$(curl -s -N -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $SID" -d "$PROGRESS" "$URL")"
contains "a request gets its reply" '"id":7' "$sse"
# DELETE ends the session; later requests get 404.
check "DELETE ends the session" 200 "$(status -X DELETE -H "Mcp-Session-Id: $SID" "$URL")"
check "404 after DELETE" 404 \
  "$(status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $SID" -d "$LIST" "$URL")"
check "GET without a session: 400" 400 "$(status -X GET -H 'Accept: text/event-stream' "$URL")"
# 2026-07-28: stateless requests, no session.
META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}'
MH=(-H "$JSON" -H "$BOTH" -H 'MCP-Protocol-Version: 2026-07-28')
check "2026: server/discover" 200 \
  "$(status "${MH[@]}" -H 'Mcp-Method: server/discover' -d "{\"jsonrpc\":\"2.0\",\"id\":\"d\",\"method\":\"server/discover\",\"params\":{$META}}" "$URL")"
contains "2026: discover lists 2026-07-28" '"supportedVersions":["2026-07-28"' "$(cat "$work/body")"
contains "2026: results carry resultType" '"resultType":"complete"' "$(cat "$work/body")"
check "2026: -32020 when the header mismatches the body" 400 \
  "$(status -H "$JSON" -H "$BOTH" -H 'MCP-Protocol-Version: 2025-11-25' -H 'Mcp-Method: tools/list' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{$META}}" "$URL")"
contains "2026: the mismatch is -32020" '"code":-32020' "$(cat "$work/body")"
check "2026: -32022 for an unknown version" 400 \
  "$(status -H "$JSON" -H "$BOTH" -H 'MCP-Protocol-Version: 2099-01-01' -H 'Mcp-Method: tools/list' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}' "$URL")"
contains "2026: the unsupported version is -32022" '"code":-32022' "$(cat "$work/body")"
check "2026: -32602 without clientCapabilities" 400 \
  "$(status "${MH[@]}" -H 'Mcp-Method: tools/list' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}' "$URL")"
check "2026: 404 + -32601 for a method 2026-07-28 removed" 404 \
  "$(status "${MH[@]}" -H 'Mcp-Method: ping' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{$META}}" "$URL")"
check "2026: evo_get_status without a session" 200 \
  "$(status "${MH[@]}" -H 'Mcp-Method: tools/call' -H 'Mcp-Name: evo_get_status' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"evo_get_status\",\"arguments\":{},$META}}" "$URL")"
contains "2026: the tool answered" '"content"' "$(cat "$work/body")"

# Resumable SSE (SEP-1699): test_reconnection closes its POST stream before replying; the reply
# is replayed on GET with Last-Event-ID, on that stream only.
server_bin="$conformance" start fixtures
curl -s -D "$work/hf" -o /dev/null -H "$JSON" -H "$BOTH" -d "$INIT" "$URL"
FSID="$(grep -i '^mcp-session-id:' "$work/hf" | tr -d '\r' | awk '{print $2}')"
status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $FSID" -d "$LIST" "$URL" > /dev/null
contains "evo-engine-conformance lists the fixture tools" 'test_simple_text' "$(cat "$work/body")"
status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $FSID" -d '{"jsonrpc":"2.0","id":3,"method":"prompts/list"}' "$URL" > /dev/null
contains "and the fixture prompts" 'test_simple_prompt' "$(cat "$work/body")"
status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $FSID" -d '{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"test://static-text"}}' "$URL" > /dev/null
contains "and the fixture resources" '"contents"' "$(cat "$work/body")"
# 2026-07-28: a tool that needs sampling, for a request whose clientCapabilities lack it: 400 +
# -32021 naming the capability.
check "2026: -32021 when a tool needs an undeclared client capability" 400 \
  "$(status -H "$JSON" -H "$BOTH" -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H 'Mcp-Name: test_sampling' -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}' "$URL")"
contains "2026: the error is -32021 with requiredCapabilities" '"code":-32021,"data":{"requiredCapabilities":{"sampling":{}}}' "$(cat "$work/body")"
RECONNECT='{"jsonrpc":"2.0","id":"r1","method":"tools/call","params":{"name":"test_reconnection","arguments":{}}}'
cut="$(curl -s -N -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $FSID" -d "$RECONNECT" "$URL")"
LAST="$(printf '%s\n' "$cut" | sed -n 's/^id: //p' | tail -1)"
check "the cut stream primed an event id" 1 "$([[ "$LAST" =~ ^[0-9]+-0$ ]] && echo 1)"
check "the cut stream had no reply" 0 "$(printf '%s' "$cut" | grep -c '"id":"r1"')"
contains "the cut stream set retry" "retry: 1000" "$cut"
sleep 0.5
resumed="$(curl -s -N --max-time 10 -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $FSID" -H "Last-Event-ID: $LAST" "$URL")"
contains "GET + Last-Event-ID replays the reply" '"id":"r1"' "$resumed"
contains "the replayed reply is the tool's" 'Reconnection test completed successfully' "$resumed"
check "a Last-Event-ID of no stream of this session: 404" 404 \
  "$(status -X GET -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $FSID" -H 'Last-Event-ID: 999-1' "$URL")"
# Cancellation: notifications/cancelled stops a request (here one waiting on the client's
# elicitation answer); its stream ends without a reply.
curl -s -D "$work/hc" -o /dev/null -H "$JSON" -H "$BOTH" -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"curl","version":"1"}}}' "$URL"
CSID="$(grep -i '^mcp-session-id:' "$work/hc" | tr -d '\r' | awk '{print $2}')"
curl -s -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $CSID" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$URL"
curl -s -N --max-time 20 -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $CSID" \
  -d '{"jsonrpc":"2.0","id":"e1","method":"tools/call","params":{"name":"test_elicitation","arguments":{"message":"hi"}}}' \
  "$URL" > "$work/cancel" &
waiter=$!
for _ in $(seq 1 50); do grep -q 'elicitation/create' "$work/cancel" && break; sleep 0.1; done
contains "the tool asked the client on its request's stream" 'elicitation/create' "$(cat "$work/cancel")"
check "notifications/cancelled: 202" 202 \
  "$(status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $CSID" -d '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"e1","reason":"user"}}' "$URL")"
started=$SECONDS
wait "$waiter"
check "the cancelled request's stream ends promptly" 1 "$([ $((SECONDS - started)) -lt 5 ] && echo 1)"
check "and carries no reply" 0 "$(grep -c '"id":"e1"' "$work/cancel")"

# The standalone GET stream: one reader at a time.
curl -s -N --max-time 3 -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $FSID" "$URL" > "$work/get1" &
sleep 0.5
check "a second standalone GET: 409" 409 \
  "$(status -X GET -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $FSID" "$URL")"
wait $!
contains "the standalone stream is primed" "id: " "$(cat "$work/get1")"

# A client that vanishes from its GET stream releases it: the next keep-alive write fails, and
# the stream can be read again.
start keepalive --sse-keepalive 1
curl -s -D "$work/hk" -o /dev/null -H "$JSON" -H "$BOTH" -d "$INIT" "$URL"
KSID="$(grep -i '^mcp-session-id:' "$work/hk" | tr -d '\r' | awk '{print $2}')"
curl -s -N -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $KSID" "$URL" > /dev/null &
reader=$!
sleep 0.5
check "while a reader holds the standalone stream: 409" 409 \
  "$(status -X GET -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $KSID" "$URL")"
kill -9 "$reader"; wait "$reader" 2>/dev/null
sleep 2.5
check "after the reader vanished, the stream is free again" 200 \
  "$(status --max-time 2 -X GET -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $KSID" "$URL" || true)"

# 401: with --auth-token (or EVO_AUTH_TOKEN) every request needs the bearer token.
EVO_AUTH_TOKEN=s3cret start auth
check "401 without the token" 401 "$(status -H "$JSON" -H "$BOTH" -d "$INIT" "$URL")"
check "401 with a wrong token" 401 \
  "$(status -H "$JSON" -H "$BOTH" -H 'Authorization: Bearer s3creT' -d "$INIT" "$URL")"
check "200 with the token" 200 \
  "$(status -H "$JSON" -H "$BOTH" -H 'Authorization: Bearer s3cret' -d "$INIT" "$URL")"

# Session cap: --max-sessions 2 refuses the third with 503.
start capped --max-sessions 2
status -H "$JSON" -H "$BOTH" -d "$INIT" "$URL" > /dev/null
status -H "$JSON" -H "$BOTH" -d "$INIT" "$URL" > /dev/null
check "503 over --max-sessions" 503 "$(status -H "$JSON" -H "$BOTH" -d "$INIT" "$URL")"
contains "503 names the limit" "limit 2" "$(cat "$work/body")"
# ... also when the initializes arrive at once: exactly two of twelve get a session.
start racing --max-sessions 2
racers=()
for i in $(seq 1 12); do
  curl -s -o /dev/null -w '%{http_code}\n' -H "$JSON" -H "$BOTH" -d "$INIT" "$URL" > "$work/race.$i" &
  racers+=($!)
done
wait "${racers[@]}"
codes="$(cat "$work"/race.* | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')"
check "12 concurrent initializes with --max-sessions 2: two 200s, ten 503s" "200:2 503:10 " "$codes"

# In-flight cap: with --max-in-flight 1, an open GET stream takes the one place; a request gets
# 503 with Retry-After at once instead of waiting; once the stream is gone, requests pass again.
start busy --max-in-flight 1 --sse-keepalive 1
curl -s -D "$work/hb" -o /dev/null -H "$JSON" -H "$BOTH" -d "$INIT" "$URL"
BSID="$(grep -i '^mcp-session-id:' "$work/hb" | tr -d '\r' | awk '{print $2}')"
curl -s -N -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $BSID" "$URL" > /dev/null &
holder=$!
sleep 0.5
started=$SECONDS
check "503 over --max-in-flight" 503 \
  "$(curl -s -D "$work/hbusy" -o "$work/body" -w '%{http_code}' --max-time 10 -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $BSID" -d "$LIST" "$URL")"
check "the busy 503 comes at once" 1 "$([ $((SECONDS - started)) -lt 3 ] && echo 1)"
check "the busy 503 has Retry-After" 1 "$(grep -ci '^retry-after: [0-9]' "$work/hbusy")"
contains "the busy 503 says why" "requests and streams in flight" "$(cat "$work/body")"
check "a notification still gets 202" 202 \
  "$(status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $BSID" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$URL")"
kill -9 "$holder"; wait "$holder" 2>/dev/null
sleep 2.5
check "after the stream ended, requests pass again" 200 \
  "$(status -H "$JSON" -H "$BOTH" -H "Mcp-Session-Id: $BSID" -d "$LIST" "$URL")"

# Read timeout (--read-timeout 1): headers, or a body, that stall get 408 naming the timeout.
start slow --read-timeout 1
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' >&3
slow_headers="$(timeout 3 cat <&3 | tr -d '\r')"
exec 3>&-
contains "headers that stall past --read-timeout: 408" "HTTP/1.1 408" "$slow_headers"
contains "the 408 names the read timeout" "read timeout of 1 s" "$slow_headers"
contains "the 408 closes the connection" "Connection: close" "$slow_headers"
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{"jsonrpc"' >&3
slow_body="$(timeout 3 cat <&3 | tr -d '\r')"
exec 3>&-
contains "a body that stalls past --read-timeout: 408" "HTTP/1.1 408" "$slow_body"
contains "the 408 says how much of the body came" "10 of 100 bytes" "$slow_body"
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'NONSENSE\r\n\r\n' >&3
garbage="$(timeout 3 cat <&3 | tr -d '\r')"
exec 3>&-
contains "a malformed request line: 400" "HTTP/1.1 400" "$garbage"
contains "the 400 says what is wrong" "malformed HTTP request line" "$garbage"

# Binding: anything but loopback needs --allow-remote.
"$engine" serve --http 0.0.0.0:0 --data-dir "$work/remote-data" 2> "$work/remote.log"
check "refuses 0.0.0.0 without --allow-remote" 2 "$?"
# With it, 0.0.0.0 serves; a foreign Host is still refused unless listed with --allowed-host.
start_at remote 0.0.0.0:0 --allow-remote
check "0.0.0.0 with --allow-remote serves" 200 "$(status -H "$JSON" -H "$BOTH" -d "$INIT" "$URL")"
check "0.0.0.0: a foreign Host is still 403" 403 \
  "$(status -H "$JSON" -H "$BOTH" -H 'Host: mcp.example.com' -d "$INIT" "$URL")"
start_at listed 0.0.0.0:0 --allow-remote --allowed-host mcp.example.com
check "0.0.0.0: a Host given with --allowed-host is served" 200 \
  "$(status -H "$JSON" -H "$BOTH" -H "Host: mcp.example.com:$PORT" -d "$INIT" "$URL")"
check "0.0.0.0: other foreign Hosts are still 403" 403 \
  "$(status -H "$JSON" -H "$BOTH" -H 'Host: evil.example.com' -d "$INIT" "$URL")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
