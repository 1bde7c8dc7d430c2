// evo-engine started with `serve --http 127.0.0.1:0`, and clients for it: the official MCP
// TypeScript SDK over Streamable HTTP (one session each), and a bare 2026-07-28 stateless client.
import { spawn } from 'node:child_process';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { toolCallers } from './sdk_server.mjs';
import { childEnv, engineBinary, trackChild } from './util.mjs';

// Starts the server (its listen line is an info log: keep logLevel at info or lower); resolves to {url, pid, stderr(), connect(name), stateless(), stop()}.
export async function startHttpServer({ dataDir, args = [], logLevel = 'info' }) {
  const child = trackChild(spawn(engineBinary(),
    ['serve', '--http', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', logLevel, ...args],
    { env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line:\n${stderr}`)), 15000);
    child.stderr.on('data', (d) => {
      stderr += d.toString();
      if (stderr.length > 400000) stderr = stderr.slice(-200000);
      const m = stderr.match(/http:\/\/127\.0\.0\.1:\d+\/mcp/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once('exit', (code) => reject(new Error(`evo-engine exited (${code}):\n${stderr}`)));
  });

  const server = {
    url,
    pid: child.pid,
    stderr: () => stderr,
    // An SDK client with its own session; {client, call, ok, close}.
    async connect(name = 'evo-http-client') {
      const transport = new StreamableHTTPClientTransport(new URL(url));
      const client = new Client({ name, version: '1.0.0' }, { capabilities: {} });
      await client.connect(transport);
      const session = {
        client,
        transport,
        sessionId: transport.sessionId,
        ...toolCallers(client),
        // Ends the session (DELETE), then closes the transport.
        async close() {
          await transport.terminateSession().catch(() => {});
          await client.close();
        },
      };
      return session;
    },
    // A 2026-07-28 client: every request stands alone, carrying its version and capabilities.
    stateless(clientName = 'evo-stateless') {
      let nextId = 1;
      const post = async (method, params = {}, headers = {}) => {
        const body = {
          jsonrpc: '2.0', id: `s-${nextId++}`, method,
          params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28',
                                        'io.modelcontextprotocol/clientCapabilities': {},
                                        'io.modelcontextprotocol/clientInfo':
                                          { name: clientName, version: '1.0.0' } } },
        };
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json',
                     Accept: 'application/json, text/event-stream',
                     'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method, ...headers },
          body: JSON.stringify(body),
        });
        const type = res.headers.get('content-type') ?? '';
        const text = await res.text();
        let message;
        if (type.includes('text/event-stream')) {
          const datas = text.split('\n').filter((l) => l.startsWith('data: '))
            .map((l) => JSON.parse(l.slice(6)));
          message = datas.find((m) => m.id === body.id);
        } else {
          message = JSON.parse(text);
        }
        return { status: res.status, message, sessionHeader: res.headers.get('mcp-session-id') };
      };
      return {
        post,
        discover: () => post('server/discover'),
        async callTool(name, toolArgs = {}) {
          return post('tools/call', { name, arguments: toolArgs }, { 'Mcp-Name': name });
        },
      };
    },
    // SIGTERM; resolves to {code, signal}.
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        return { code: child.exitCode, signal: child.signalCode };
      }
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      child.kill('SIGTERM');
      return exited;
    },
  };
  return server;
}
