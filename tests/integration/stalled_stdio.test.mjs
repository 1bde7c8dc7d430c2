// A subscribed stdio client that stops reading must not hold up anybody else. `serve --stdio
// --http` runs both transports over one engine; the stdio client subscribes to the run's
// resources and then stops reading its stdout, so the server's writes to it block once the pipe
// is full. HTTP workers keep reporting meanwhile: every call must still be answered promptly,
// because client notifications leave the engine's outbox after the lock is released, on a
// thread of their own. Reading again, the stdio client is answered and the server exits cleanly.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { makeProjectRepo } from './lib/project.mjs';
import { RawServer } from './lib/raw_server.mjs';
import { toolCallers } from './lib/sdk_server.mjs';
import { makeTempDir, removeTempDir, sleep } from './lib/util.mjs';

// Enough commits that their notifications overflow the pipe and Node's own buffer several times
// over (each commit notifies four subscribed URIs, ~150 bytes each).
const GENERATIONS = 30;
const POP = 8;
const CALL_LIMIT_MS = 5000;

async function withinLimit(promise, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${CALL_LIMIT_MS} ms`)),
                       CALL_LIMIT_MS);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a stdio client that stops reading', () => {
  let tmp;
  let srv;
  let url;

  before(async () => {
    tmp = makeTempDir('evo-stall-');
    srv = new RawServer({ dataDir: path.join(tmp, 'data'),
                          logLevel: 'info', extraArgs: ['--http', '127.0.0.1:0'] });
    srv.spawn();
    for (let i = 0; i < 100 && !url; i++) {
      url = srv.stderr.match(/http:\/\/127\.0\.0\.1:\d+\/mcp/)?.[0];
      if (!url) await sleep(100);
    }
    assert.ok(url, `no HTTP listen line:\n${srv.stderr}`);
  });

  after(async () => {
    try {
      if (srv) await srv.stop();
    } finally {
      removeTempDir(tmp);
    }
  });

  test('HTTP workers keep reporting while the stdio pipe is full', async () => {
    const repo = makeProjectRepo(tmp);
    const init = await srv.request('initialize', {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'stalled', version: '1' },
    }).reply;
    assert.equal(init.result.protocolVersion, '2025-11-25');
    srv.notify('notifications/initialized');

    const http = new Client({ name: 'workers', version: '1' }, { capabilities: {} });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await http.connect(transport);
    const { ok } = toolCallers(http);
    const created = await ok('evo_init', {
      repo_path: repo, benchmark_cmd: 'true', policy_mode: 'off', pop_size: POP,
      max_fe: 100000, max_generations: GENERATIONS + 5, synergy_interval: 100000, seed: 3,
    });
    const run = created.run_id;
    await ok('evo_register_targets',
             { targets: [{ id: 'loss', file: 'model.py', function: 'compute_loss' }] });
    await ok('evo_report_seed', { fitness: 100 });

    const base = `evo://runs/${run}`;
    for (const uri of ['evo://runs', `${base}/status`, `${base}/journal.ndjson`,
                       `${base}/journal/manifest.json`]) {
      const sub = await srv.request('resources/subscribe', { uri }).reply;
      assert.ok(sub.result, `subscribe ${uri}: ${JSON.stringify(sub)}`);
    }
    const linesBefore = srv.lines.length;
    srv.proc.stdout.pause();  // the client stops reading: the pipe fills up

    let calls = 0;
    let fitness = 100;
    let worst = 0;
    const step = async (args) => {
      const t0 = Date.now();
      const reply = await withinLimit(ok('evo_step', args), `evo_step ${args.phase} #${calls}`);
      worst = Math.max(worst, Date.now() - t0);
      calls++;
      return reply;
    };
    for (let gen = 0; gen < GENERATIONS; gen++) {
      const batch = await step({ phase: 'begin_generation' });
      assert.equal(batch.action, 'dispatch_workers', JSON.stringify(batch).slice(0, 300));
      for (const item of batch.items) {
        await step({ phase: 'code_ready', branch: item.branch });
        fitness -= 0.01;
        await step({ phase: 'fitness_ready', branch: item.branch, fitness });
      }
      await step({ phase: 'select' });
      await step({ phase: 'reflect_done' });
    }
    assert.equal(calls, GENERATIONS * (2 * POP + 3), 'every HTTP call was answered');
    assert.ok(worst < CALL_LIMIT_MS, `slowest HTTP call ${worst} ms`);
    const status = await ok('evo_get_status', {});
    assert.equal(status.total_evals, 1 + GENERATIONS * POP, 'every report was counted');

    // Reading again: the queued notifications arrive, and the stdio session still answers.
    srv.proc.stdout.resume();
    const ping = await withinLimit(srv.request('ping', {}).reply, 'stdio ping after the stall');
    assert.deepEqual(ping.result, {});
    const updates = srv.lines.slice(linesBefore)
      .map((l) => JSON.parse(l))
      .filter((m) => m.method === 'notifications/resources/updated');
    assert.ok(updates.length > 0, 'the stalled client got its notifications afterwards');
    assert.deepEqual(srv.problems, [], 'stdout carries whole protocol messages only');
    await transport.terminateSession();
    await http.close();
  });
});
