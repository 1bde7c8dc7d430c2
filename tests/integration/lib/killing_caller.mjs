// A `call(tool, args)` over RawServer that SIGKILLs the server at seeded random points and
// restarts it on the same data dir:
//   after_reply      the reply was received (acknowledged); the server dies before the next call
//   ack_lost         the reply arrived, then the server died, and the client re-sends anyway (as
//                    if the acknowledgement were lost): the request was surely committed
//   mid_line         half of the request line was written: the server never saw a request
//   in_flight        the request (plus a concurrent read) was written; killed at once
//   in_flight_delay  the request was written; killed 0..25 ms later (it may have been committed,
//                    and its reply may even have arrived: the request is re-sent regardless)
// An un-acknowledged request is re-sent to the fresh server; when the first reply did arrive
// before the kill, the re-sent request must get the very same reply (idempotent re-reports).
import assert from 'node:assert/strict';

import { RawServer } from './raw_server.mjs';
import { normalizeToolResult } from './sdk_server.mjs';
import { Rng, sleep } from './util.mjs';

export const KILL_MODES = ['after_reply', 'ack_lost', 'mid_line', 'in_flight', 'in_flight_delay'];

function toolResult(msg, what) {
  if (msg.error) throw new Error(`${what}: JSON-RPC error ${JSON.stringify(msg.error)}`);
  return normalizeToolResult(msg.result, what);
}

export class KillingCaller {
  constructor({ dataDir, seed = 1, killProbability = 0, serverArgs = [] }) {
    this.dataDir = dataDir;
    this.serverArgs = serverArgs;
    this.rng = new Rng(seed);
    this.killProbability = killProbability;
    this.server = null;
    this.servers = [];
    this.calls = 0;
    this.kills = [];      // {call, tool, phase, mode, repliedBeforeKill}
    this.resends = 0;
    this.call = this.call.bind(this);
  }

  async ensure() {
    if (this.server && this.server.alive()) return this.server;
    this.server = new RawServer({ dataDir: this.dataDir, extraArgs: this.serverArgs });
    this.servers.push(this.server);
    await this.server.start();
    return this.server;
  }

  decide(tool) {
    if (this.killProbability <= 0 || this.rng.next() >= this.killProbability) return null;
    // The first kills cycle through the modes so that each one happens at least once.
    let mode = this.kills.length < KILL_MODES.length ? KILL_MODES[this.kills.length]
                                                      : this.rng.pick(KILL_MODES);
    // evo_init is the one call that is not idempotent (each call creates a run): it is never
    // re-sent after the server may have seen it.
    if (tool === 'evo_init' && mode !== 'mid_line') mode = 'after_reply';
    return mode;
  }

  async call(tool, args) {
    this.calls += 1;
    const what = `${tool} ${JSON.stringify(args).slice(0, 120)}`;
    const mode = this.decide(tool);
    const srv = await this.ensure();
    if (mode === 'mid_line') {
      const line = JSON.stringify({ jsonrpc: '2.0', id: srv.nextId++, method: 'tools/call',
                                    params: { name: tool, arguments: args } });
      srv.writeRaw(line.slice(0, Math.max(1, line.length >> 1)));
      await sleep(this.rng.below(6));
      await srv.kill();
      this.kills.push({ call: this.calls, tool, phase: args.phase, mode, repliedBeforeKill: false });
      return this.resend(tool, args, what, null);
    }
    const { reply } = srv.callTool(tool, args);
    if (mode === 'in_flight' || mode === 'in_flight_delay' || mode === 'ack_lost') {
      if (mode !== 'ack_lost') srv.callTool('evo_get_status', {});  // a second request in flight
      let early = null;
      reply.then((m) => { early = m; }, () => {});
      if (mode === 'in_flight_delay') await sleep(this.rng.below(26));
      if (mode === 'ack_lost') await reply;
      await srv.kill();
      this.kills.push({ call: this.calls, tool, phase: args.phase, mode,
                        repliedBeforeKill: early !== null });
      return this.resend(tool, args, what, early);
    }
    const msg = await reply;
    const result = toolResult(msg, what);
    if (mode === 'after_reply') {
      await srv.kill();
      this.kills.push({ call: this.calls, tool, phase: args.phase, mode, repliedBeforeKill: true });
    }
    return result;
  }

  // Re-sends an un-acknowledged request to a fresh server. When the first reply did arrive, the
  // second must be the same.
  async resend(tool, args, what, early) {
    this.resends += 1;
    const again = await this.ensure();
    const msg = await again.callTool(tool, args).reply;
    const result = toolResult(msg, what);
    if (early) {
      const first = toolResult(early, what);
      assert.deepEqual(result, first,
                       `${what}: the re-sent request got a different reply than the first`);
    }
    return result;
  }

  hygieneProblems() {
    return this.servers.flatMap((s) => s.problems);
  }

  async stop() {
    if (this.server && this.server.alive()) return this.server.stop();
    return this.server?.exit ?? null;
  }

  async killAll() {
    for (const s of this.servers) await s.kill();
  }
}
