// evo-engine started through the official MCP TypeScript SDK (StdioClientTransport + Client).
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { childEnv, engineBinary, trackPid } from './util.mjs';

// Normalizes a tools/call result: {ok, data (structuredContent), text, raw}. A successful result
// must carry structuredContent and mirror the same JSON in a text block.
export function normalizeToolResult(res, what = 'tool result') {
  assert.ok(Array.isArray(res.content), `${what}: content[] is missing`);
  const text = res.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
  if (res.isError) {
    assert.ok(text.length > 0, `${what}: an error result must say what went wrong`);
    return { ok: false, data: null, text, raw: res };
  }
  assert.equal(typeof res.structuredContent, 'object', `${what}: structuredContent missing`);
  assert.notEqual(res.structuredContent, null, `${what}: structuredContent is null`);
  let mirrored;
  assert.doesNotThrow(() => {
    mirrored = JSON.parse(text);
  }, `${what}: the text block is not the JSON of the result: ${text.slice(0, 200)}`);
  assert.deepEqual(mirrored, res.structuredContent, `${what}: text block != structuredContent`);
  return { ok: true, data: res.structuredContent, text, raw: res };
}

// `call` (a tool's normalized result; never throws on isError) and `ok` (requires success;
// returns structuredContent) for one connected SDK client.
export function toolCallers(client) {
  const call = async (toolName, args = {}) => {
    const res = await client.callTool({ name: toolName, arguments: args });
    return normalizeToolResult(res, `${toolName}(${JSON.stringify(args).slice(0, 120)})`);
  };
  const ok = async (toolName, args = {}) => {
    const r = await call(toolName, args);
    assert.ok(r.ok, `${toolName} ${JSON.stringify(args)} failed: ${r.text}`);
    return r.data;
  };
  return { call, ok };
}

export async function startSdkServer({ dataDir, name = 'evo-integration', logLevel = 'warn' }) {
  const transport = new StdioClientTransport({
    command: engineBinary(),
    args: ['serve', '--stdio', '--data-dir', dataDir, '--log-level', logLevel],
    env: childEnv(),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr.on('data', (d) => {
    stderr += d.toString();
    if (stderr.length > 200000) stderr = stderr.slice(-100000);
  });
  const client = new Client({ name, version: '1.0.0' }, { capabilities: {} });
  let untrack = () => {};
  try {
    await client.connect(transport);
    untrack = trackPid(transport.pid);
  } catch (e) {
    await transport.close().catch(() => {});
    throw new Error(`cannot start evo-engine: ${e.message}\nstderr:\n${stderr}`);
  }
  const server = {
    client,
    transport,
    pid: transport.pid,
    stderr: () => stderr,
    ...toolCallers(client),
    // Closes stdin (the server must exit on EOF); resolves to {code, signal} of the process.
    async close() {
      const proc = transport._process;  // private in the SDK; read only for the exit status
      try {
        await client.close();
      } finally {
        untrack();
      }
      if (!proc) return { code: null, signal: null };
      if (proc.exitCode === null && proc.signalCode === null) {
        await new Promise((resolve) => proc.once('exit', resolve));
      }
      return { code: proc.exitCode, signal: proc.signalCode };
    },
  };
  return server;
}
