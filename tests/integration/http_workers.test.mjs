// Eight workers, each its own SDK client and HTTP session, report their batch items at the same
// time: every report is counted exactly once (total_evals after the commits are exactly
// 2..9, each once), a re-sent report from a second session is answered identically and not
// counted again, and the books match what the workers were told.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Ledger, selectAndReflect, setupRun } from './lib/driver.mjs';
import { startHttpServer } from './lib/http_server.mjs';
import { makeProjectRepo } from './lib/project.mjs';
import { makeTempDir, removeTempDir } from './lib/util.mjs';
import { Worker } from './lib/worker.mjs';

const WORKERS = 8;

describe('eight concurrent workers over HTTP', () => {
  let tmp;
  let repo;
  let server;
  let orchestrator;
  const workers = [];
  const echoes = [];
  const ledger = new Ledger();

  before(async () => {
    tmp = makeTempDir('evo-http-workers-');
    repo = makeProjectRepo(tmp);
    server = await startHttpServer({ dataDir: path.join(tmp, 'data') });
    orchestrator = await server.connect('orchestrator');
    for (let i = 0; i < WORKERS; i++) {
      workers.push(await server.connect(`worker-${i}`));
      echoes.push(await server.connect(`worker-${i}-resend`));
    }
  });

  after(async () => {
    try {
      for (const s of [orchestrator, ...workers, ...echoes]) if (s) await s.close();
      if (server) {
        const exit = await server.stop();
        assert.equal(exit.code, 0, `exit on SIGTERM: ${JSON.stringify(exit)}`);
      }
    } finally {
      removeTempDir(tmp);
    }
  });

  // One worker's item, from code_ready to fitness_ready; the final report is sent twice at once
  // (its own session and a second one, as a worker that lost the reply would).
  async function runItem(session, echo, coder, item) {
    const step = (args) => session.ok('evo_step', args);
    let reply = await step({ phase: 'code_ready', branch: item.branch });
    if (reply.action === 'check_policy') reply = await step({ phase: 'policy_pass', branch: item.branch });
    assert.equal(reply.action, 'run_benchmark', `${item.branch}: ${JSON.stringify(reply)}`);
    const bench = coder.benchmark(item.branch, reply.benchmark_cmd);
    assert.ok(bench.success, bench.reason);
    const args = { phase: 'fitness_ready', branch: item.branch, success: true, fitness: bench.values[0] };
    const [first, again] = await Promise.all([step(args), echo.ok('evo_step', args)]);
    assert.deepEqual(again, first, `${item.branch}: the re-sent report gets the same reply`);
    assert.equal(first.action, 'worker_done');
    assert.equal(first.fitness, bench.values[0]);
    ledger.evaluated.set(item.branch, bench.values[0]);
    return first;
  }

  test('two generations, each batch of 8 reported concurrently by 8 sessions', async () => {
    const coder = new Worker(repo, { seed: 17 });
    const call = (tool, args) => orchestrator.call(tool, args);
    await setupRun(call, coder, ledger, repo,
                   { pop_size: WORKERS, top_k_survive: 2, max_generations: 2, max_fe: 500 });
    let next = await orchestrator.ok('evo_step', { phase: 'begin_generation' });
    let generations = 0;
    while (next.action === 'dispatch_workers') {
      generations += 1;
      assert.equal(next.items.length, WORKERS, 'one item per worker');
      const before = (await orchestrator.ok('evo_get_status', {})).total_evals;
      for (const item of next.items) coder.code(item);  // the commits exist before anyone reports
      const dones = await Promise.all(
        next.items.map((item, i) => runItem(workers[i], echoes[i], coder, item)));
      const totals = dones.map((d) => d.total_evals).sort((a, b) => a - b);
      assert.deepEqual(totals, Array.from({ length: WORKERS }, (_, i) => before + i + 1),
                       'each report was counted exactly once, one after another');
      const status = await orchestrator.ok('evo_get_status', {});
      assert.equal(status.total_evals, before + WORKERS);
      assert.equal(status.total_evals, ledger.expectedTotalEvals());
      assert.equal(status.in_flight.length, 0, 'nothing left in flight');
      for (const item of next.items) {
        const lin = await orchestrator.ok('evo_get_lineage', { branch: item.branch });
        assert.equal(lin.lineage[0].state, 'evaluated', `${item.branch} evaluated once`);
      }
      ({ next } = await selectAndReflect(call, ledger));
    }
    assert.equal(next.action, 'done');
    assert.equal(generations, 2);
    const final = await orchestrator.ok('evo_get_status', {});
    assert.equal(final.total_evals, 1 + 2 * WORKERS, 'seed + 16 evaluations, no loss, no double count');
  });
});
