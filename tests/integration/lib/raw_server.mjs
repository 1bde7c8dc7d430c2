// evo-engine as a plain child process speaking newline-delimited JSON-RPC, with a tiny client
// written here (no SDK): for kill -9 tests and stdio hygiene checks. Every stdout line is
// checked to be one valid JSON-RPC 2.0 message.
import { spawn } from 'node:child_process';

import { childEnv, engineBinary, trackChild } from './util.mjs';

export class ServerDied extends Error {
  constructor(message) {
    super(message);
    this.name = 'ServerDied';
  }
}

export const PROTOCOL_VERSION = '2025-11-25';

export function checkJsonRpcLine(line) {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch (e) {
    return `stdout line is not JSON (${e.message}): ${line.slice(0, 200)}`;
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
    return `stdout line is not a JSON object: ${line.slice(0, 200)}`;
  }
  if (msg.jsonrpc !== '2.0') return `stdout message without jsonrpc "2.0": ${line.slice(0, 200)}`;
  if ('method' in msg) {
    if (typeof msg.method !== 'string') return `method is not a string: ${line.slice(0, 200)}`;
    return null;  // a request or notification from the server
  }
  const hasResult = 'result' in msg;
  const hasError = 'error' in msg;
  if (hasResult === hasError) {
    return `a response must carry exactly one of result/error: ${line.slice(0, 200)}`;
  }
  if (!('id' in msg)) return `a response without id: ${line.slice(0, 200)}`;
  if (hasError) {
    if (!Number.isInteger(msg.error?.code) || typeof msg.error?.message !== 'string') {
      return `malformed error object: ${line.slice(0, 200)}`;
    }
  } else if (msg.id === null) {
    return `a successful response with a null id: ${line.slice(0, 200)}`;
  }
  return null;
}

export class RawServer {
  constructor({ dataDir, logLevel = 'warn', extraArgs = [] }) {
    this.dataDir = dataDir;
    this.logLevel = logLevel;
    this.extraArgs = extraArgs;
    this.proc = null;
    this.nextId = 1;
    this.pending = new Map();
    this.lines = [];          // every stdout line, in order
    this.problems = [];       // hygiene problems found on stdout
    this.stderr = '';
    this.exit = null;         // {code, signal} once exited
  }

  spawn() {
    const proc = spawn(engineBinary(),
                       ['serve', '--stdio', '--data-dir', this.dataDir, '--log-level',
                        this.logLevel, ...this.extraArgs],
                       { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    trackChild(proc);
    this.proc = proc;
    this.exit = null;
    let buf = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        this.onLine(line);
      }
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
      this.stderr += d;
      if (this.stderr.length > 200000) this.stderr = this.stderr.slice(-100000);
    });
    proc.stdin.on('error', () => {});  // EPIPE after a kill is expected
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        if (buf.length > 0) this.problems.push(`unterminated stdout data at exit: ${buf.slice(0, 200)}`);
        this.exit = { code, signal };
        for (const [, p] of this.pending) {
          p.reject(new ServerDied(`evo-engine exited (code ${code}, signal ${signal})`));
        }
        this.pending.clear();
        resolve(this.exit);
      });
    });
    return proc;
  }

  onLine(line) {
    this.lines.push(line);
    const problem = checkJsonRpcLine(line);
    if (problem) {
      this.problems.push(problem);
      return;
    }
    const msg = JSON.parse(line);
    if ('method' in msg) return;  // notifications (logging) are ignored here
    const p = this.pending.get(msg.id);
    if (p) {
      this.pending.delete(msg.id);
      p.resolve(msg);
    } else {
      this.unmatched = (this.unmatched ?? 0) + 1;
    }
  }

  alive() {
    return this.proc !== null && this.exit === null;
  }

  send(obj) {
    this.proc.stdin.write(`${JSON.stringify(obj)}\n`);
  }

  writeRaw(text) {
    this.proc.stdin.write(text);
  }

  // Sends a request; returns {id, reply: Promise<message>} (rejects with ServerDied).
  request(method, params) {
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => {
      if (!this.alive()) {
        reject(new ServerDied('evo-engine is not running'));
        return;
      }
      this.pending.set(id, { resolve, reject });
    });
    reply.catch(() => {});  // callers that abandon a request must not crash the process
    if (this.alive()) this.send({ jsonrpc: '2.0', id, method, params });
    return { id, reply };
  }

  notify(method, params) {
    this.send(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
  }

  async start() {
    this.spawn();
    const { reply } = this.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'evo-integration-raw', version: '1.0.0' },
    });
    const msg = await reply;
    if (msg.error) throw new Error(`initialize failed: ${JSON.stringify(msg.error)}`);
    this.initializeResult = msg.result;
    this.notify('notifications/initialized');
    return msg.result;
  }

  // tools/call; returns {id, reply: Promise<message>}.
  callTool(name, args) {
    return this.request('tools/call', { name, arguments: args });
  }

  async kill() {
    if (!this.alive()) return this.exit;
    this.proc.kill('SIGKILL');
    return this.exited;
  }

  // Closes stdin and waits for the exit.
  async stop(timeoutMs = 10000) {
    if (!this.alive()) return this.exit;
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc?.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}
