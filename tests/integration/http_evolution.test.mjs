// A full multi-generation evolution through the official SDK client over Streamable HTTP, with a
// 2026-07-28 stateless client served side by side by the same server.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Ledger, runToEnd, setupRun } from './lib/driver.mjs';
import { startHttpServer } from './lib/http_server.mjs';
import { makeProjectRepo } from './lib/project.mjs';
import { makeTempDir, removeTempDir } from './lib/util.mjs';
import { Worker } from './lib/worker.mjs';

describe('evolution over Streamable HTTP', () => {
  let tmp;
  let repo;
  let server;
  let session;
  const ledger = new Ledger();

  before(async () => {
    tmp = makeTempDir('evo-http-evolution-');
    repo = makeProjectRepo(tmp);
    server = await startHttpServer({ dataDir: path.join(tmp, 'data') });
    session = await server.connect('http-orchestrator');
  });

  after(async () => {
    try {
      if (session) await session.close();
      if (server) {
        const exit = await server.stop();
        assert.equal(exit.code, 0, `evo-engine exits 0 on SIGTERM: ${JSON.stringify(exit)}\n` +
                                   server.stderr().slice(-3000));
      }
    } finally {
      removeTempDir(tmp);
    }
  });

  test('initialize over HTTP: a session id, the tools with their schemas', async () => {
    assert.match(session.sessionId, /^[0-9a-f]{32}$/);
    const { tools } = await session.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ['evo_init', 'evo_step', 'evo_get_status', 'evo_list_runs']) {
      assert.ok(names.includes(n), `${n} is listed`);
    }
    assert.ok(!names.some((n) => n.startsWith('test_')), 'no conformance fixture without the flag');
    for (const t of tools) assert.equal(t.outputSchema?.type, 'object', `${t.name} outputSchema`);
    const { prompts } = await session.client.listPrompts().catch(() => ({ prompts: [] }));
    assert.ok(!prompts.some((p) => p.name.startsWith('test_')), 'no fixture prompt');
  });

  test('a whole evolution (3 generations) through the SDK over HTTP', async () => {
    const worker = new Worker(repo, { seed: 5 });
    const call = (tool, args) => session.call(tool, args);
    const { init } = await setupRun(call, worker, ledger, repo, { pop_size: 4, max_generations: 3 });
    const done = await runToEnd(call, worker, ledger);
    assert.equal(done.action, 'done');
    const status = await session.ok('evo_get_status', {});
    assert.equal(status.run_id, init.run_id);
    assert.equal(status.total_evals, ledger.expectedTotalEvals(), 'every acknowledged report counted once');
    assert.ok(ledger.dispatches.length >= 3, 'three generations were dispatched');
  });

  test('a 2026-07-28 stateless client, side by side: discover, then evo_get_status', async () => {
    const modern = server.stateless();
    const discover = await modern.discover();
    assert.equal(discover.status, 200);
    assert.equal(discover.sessionHeader, null, 'no session for a stateless client');
    const result = discover.message.result;
    assert.equal(result.resultType, 'complete');
    assert.ok(result.supportedVersions.includes('2026-07-28'));
    assert.ok(result.supportedVersions.includes('2025-11-25'));
    assert.ok(result.capabilities.tools);
    assert.equal(result._meta['io.modelcontextprotocol/serverInfo'].name, 'evo-engine');

    const status = await modern.callTool('evo_get_status', {});
    assert.equal(status.status, 200);
    const res = status.message.result;
    assert.equal(res.resultType, 'complete');
    assert.notEqual(res.isError, true, JSON.stringify(res));
    assert.equal(res.structuredContent.total_evals, ledger.expectedTotalEvals(),
                 'the stateless client sees the books the SDK client wrote');
    // The legacy session is unaffected and still served.
    const again = await session.ok('evo_get_status', {});
    assert.equal(again.total_evals, res.structuredContent.total_evals);
  });
});
