// stdio hygiene: malformed input piped into the real binary gets the right JSON-RPC errors, every
// stdout line is one valid JSON-RPC message, the process keeps serving, and it exits 0 on EOF.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { checkJsonRpcLine, PROTOCOL_VERSION, RawServer } from './lib/raw_server.mjs';
import { makeTempDir, removeTempDir, sleep } from './lib/util.mjs';

async function waitFor(cond, what, timeoutMs = 10000) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('stdio hygiene', () => {
  let tmp;
  let srv;

  before(() => {
    tmp = makeTempDir('evo-stdio-');
  });

  after(async () => {
    try {
      await srv?.kill();
    } finally {
      removeTempDir(tmp);
    }
  });

  test('malformed lines get JSON-RPC errors; the server keeps running and exits 0 on EOF',
       async () => {
    srv = new RawServer({ dataDir: path.join(tmp, 'data'), logLevel: 'debug' });
    srv.spawn();
    const responses = () => srv.lines.map((l) => JSON.parse(l)).filter((m) => !('method' in m));
    const byId = (id) => responses().find((m) => m.id === id);

    const input = [
      'this is not json',                                                     // -32700, id null
      '{"jsonrpc": "2.0", "id": 1, "method": "ping"',                          // truncated: -32700
      JSON.stringify({ jsonrpc: '1.0', id: 'wrong-version', method: 'ping' }), // -32600
      JSON.stringify({ jsonrpc: '2.0', id: null, method: 'ping' }),            // -32600
      JSON.stringify({ jsonrpc: '2.0', id: 'no-method' }),                     // -32600
      JSON.stringify([{ jsonrpc: '2.0', id: 'batch', method: 'ping' }]),       // -32600, id null
      JSON.stringify({ jsonrpc: '2.0', id: 'unknown', method: 'no/such/method' }),  // -32601
      JSON.stringify({ jsonrpc: '2.0', id: 'discover', method: 'server/discover',
                       params: { _meta: { protocolVersion: '2026-07-28' } } }),
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/unknown' }),     // no reply
      '',                                                                      // blank line
    ];
    srv.writeRaw(input.map((l) => `${l}\n`).join(''));
    // Replies with a null id cannot be matched to requests; wait until everything answered.
    const nullIds = () => responses().filter((m) => m.id === null);
    await waitFor(() => byId('discover') && byId('unknown') && byId('wrong-version') &&
                        byId('no-method') && nullIds().length >= 4,
                  'replies to the malformed lines');
    await sleep(200);  // a reply to the blank line, if any, has arrived by now

    assert.deepEqual(srv.problems, [], 'every stdout line is a valid JSON-RPC message');
    const nullIdCodes = nullIds().map((m) => m.error?.code);
    const parseErrors = nullIdCodes.filter((c) => c === -32700).length;
    // The blank line may be skipped or answered as a parse error.
    assert.ok(parseErrors === 2 || parseErrors === 3, `parse errors: ${nullIdCodes}`);
    assert.equal(nullIdCodes.filter((c) => c === -32600).length, 2,
                 `the null-id request and the batch are invalid requests: ${nullIdCodes}`);
    assert.equal(nullIdCodes.length, parseErrors + 2, `unexpected null-id replies: ${nullIdCodes}`);
    assert.equal(byId('wrong-version').error?.code, -32600);
    assert.equal(byId('no-method').error?.code, -32600);
    assert.equal(byId('unknown').error?.code, -32601);
    const discover = byId('discover');
    if (discover.error) {
      assert.equal(discover.error.code, -32601, 'server/discover: answered or -32601');
    } else {
      assert.equal(typeof discover.result, 'object', 'server/discover answers with a result');
    }

    // Still serving: a proper session works after the garbage.
    const init = await srv.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'hygiene', version: '1' },
    }).reply;
    assert.equal(init.result?.protocolVersion, PROTOCOL_VERSION, JSON.stringify(init));
    srv.notify('notifications/initialized');
    const ping = await srv.request('ping', {}).reply;
    assert.deepEqual(ping.result, {});
    const tools = await srv.request('tools/list', {}).reply;
    assert.ok(tools.result.tools.length > 0);
    const badTool = await srv.request('tools/call', { name: 'evo_nope', arguments: {} }).reply;
    assert.equal(badTool.error?.code, -32602, 'an unknown tool is -32602');
    const badArgs = await srv.request('tools/call', { name: 'evo_step', arguments: { phase: 'fly' } })
      .reply;
    assert.ok(badArgs.error?.code === -32602 || badArgs.result?.isError === true,
              `schema-invalid arguments are refused: ${JSON.stringify(badArgs)}`);
    const domain = await srv.request('tools/call', { name: 'evo_get_status', arguments: {} }).reply;
    assert.equal(domain.result?.isError, true, 'a domain failure is a tool result with isError');

    const exit = await srv.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `exits 0 on EOF\n${srv.stderr}`);
    assert.deepEqual(srv.problems, [], 'every stdout line is a valid JSON-RPC message');
    for (const line of srv.lines) assert.equal(checkJsonRpcLine(line), null);
    const foreignIds = responses().map((m) => m.id)
      .filter((id) => id !== null && typeof id !== 'number');
    assert.deepEqual(foreignIds.sort(), ['discover', 'no-method', 'unknown', 'wrong-version'],
                     'one reply per request line, none to the notification');
  });
});
