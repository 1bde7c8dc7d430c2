// Two server processes on one data dir (two editor windows): each sees the other's writes at
// once, concurrent identical requests are answered identically and counted once, concurrent
// conflicting reports are serialized (one wins, the other is refused), and the run never forks.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { checkDispatch, checkReflect } from './lib/checks.mjs';
import { Ledger, processItem, selectAndReflect, setupRun, standardScenario } from './lib/driver.mjs';
import { BENCHMARK_CMD, makeProjectRepo } from './lib/project.mjs';
import { startSdkServer } from './lib/sdk_server.mjs';
import { engineBinary, makeTempDir, removeTempDir, run } from './lib/util.mjs';
import { Worker } from './lib/worker.mjs';

describe('two server processes on one data dir', () => {
  let tmp;
  let repo;
  let dataDir;
  let A;
  let B;
  let worker;
  const ledger = new Ledger();

  before(async () => {
    tmp = makeTempDir('evo-two-');
    repo = makeProjectRepo(tmp);
    dataDir = path.join(tmp, 'data');
    worker = new Worker(repo, { seed: 3 });
    A = await startSdkServer({ dataDir, name: 'window-A' });
    B = await startSdkServer({ dataDir, name: 'window-B' });
  });

  after(async () => {
    try {
      for (const s of [A, B]) {
        if (!s) continue;
        const exit = await s.close();
        assert.equal(exit.code, 0, `exit on EOF: ${JSON.stringify(exit)}\n${s.stderr()}`);
      }
    } finally {
      removeTempDir(tmp);
    }
  });

  const callA = (tool, args) => A.call(tool, args);
  const callB = (tool, args) => B.call(tool, args);

  test('A creates the run; B sees it; they take turns; each sees the other', async () => {
    // checkReflect pins the reference strategy's survivor rules (the seed is in no population).
    const { init } = await setupRun(callA, worker, ledger, repo, { pop_size: 4, max_generations: 2,
                                                                   strategy: 'reference' });
    const runId = init.run_id;
    const stB = await B.ok('evo_get_status', {});
    assert.equal(stB.run_id, runId, 'B sees the run A created');
    assert.equal(stB.total_evals, 1, 'B sees A\'s seed report');
    assert.deepEqual(stB.seed_obj, [ledger.seed]);
    assert.equal((await B.ok('evo_list_runs', {})).count, 1);

    // Both ask for the batch at the same time: one generation, one batch.
    const [dA, dB] = await Promise.all([A.ok('evo_step', { phase: 'begin_generation' }),
                                        B.ok('evo_step', { phase: 'begin_generation' })]);
    assert.deepEqual(dA, dB, 'both windows get the same batch');
    checkDispatch(dA, { generation: 0, survivors: new Set(), repo });
    ledger.dispatches.push(dA);

    // Items alternate between the windows; after each, the other window sees the result.
    for (const [idx, item] of dA.items.entries()) {
      const [mine, other] = idx % 2 === 0 ? [callA, B] : [callB, A];
      const done = await processItem(mine, worker, ledger, item, standardScenario(0, idx, dA.items));
      const seen = await other.ok('evo_get_status', {});
      assert.equal(seen.total_evals, ledger.expectedTotalEvals(),
                   `the other window sees the report for ${item.branch}`);
      assert.ok(!seen.in_flight.some((f) => f.branch === item.branch),
                `${item.branch} is no longer in flight for the other window`);
      const lin = await other.ok('evo_get_lineage', { branch: item.branch });
      const expectState = done.rejected ? 'rejected'
        : done.success === false ? 'failed' : 'evaluated';
      assert.equal(lin.lineage[0].state, expectState);
    }

    // Both select at once: one selection, the same reply for both.
    const [rA, rB] = await Promise.all([A.ok('evo_step', { phase: 'select' }),
                                        B.ok('evo_step', { phase: 'select' })]);
    assert.deepEqual(rA, rB, 'concurrent selects get the same reply');
    checkReflect(rA, { generation: 0, items: dA.items, previousKeep: [], ledger, topK: 2 });
    ledger.reflects.push(rA);
    const [nA, nB] = await Promise.all([A.ok('evo_step', { phase: 'reflect_done' }),
                                        B.ok('evo_step', { phase: 'reflect_done' })]);
    assert.deepEqual(nA, nB, 'concurrent reflect_done plan one generation');
    assert.equal(nA.generation, 1);
    checkDispatch(nA, { generation: 1, survivors: new Set(rA.keep), repo });
    ledger.dispatches.push(nA);
    const [sA, sB] = await Promise.all([A.ok('evo_get_status', {}), B.ok('evo_get_status', {})]);
    assert.deepEqual(sA, sB, 'both windows see the same state');
    assert.equal(sA.generation, 1, 'the generation advanced once');
  });

  test('concurrent reports from both windows are serialized, never forked', async () => {
    const dispatch = ledger.dispatches.at(-1);
    const [first, second, ...rest] = dispatch.items;

    // Two different items reported at the same time by the two windows.
    for (const item of [first, second]) {
      worker.code(item);
      const c = await A.ok('evo_step', { phase: 'code_ready', branch: item.branch });
      ledger.commits.set(item.branch, c.commit);
      await B.ok('evo_step', { phase: 'policy_pass', branch: item.branch });
    }
    const bench1 = worker.benchmark(first.branch, BENCHMARK_CMD);
    const bench2 = worker.benchmark(second.branch, BENCHMARK_CMD);
    const before = (await A.ok('evo_get_status', {})).total_evals;
    const [w1, w2] = await Promise.all([
      A.ok('evo_step', { phase: 'fitness_ready', branch: first.branch, fitness: bench1.values[0] }),
      B.ok('evo_step', { phase: 'fitness_ready', branch: second.branch, fitness: bench2.values[0] }),
    ]);
    ledger.evaluated.set(first.branch, bench1.values[0]);
    ledger.evaluated.set(second.branch, bench2.values[0]);
    assert.deepEqual(new Set([w1.total_evals, w2.total_evals]), new Set([before + 1, before + 2]),
                     'the two reports got distinct, consecutive evaluation numbers');

    // The same report from both windows at once: the same reply, counted once.
    const third = rest[0];
    worker.code(third);
    const c3 = await B.ok('evo_step', { phase: 'code_ready', branch: third.branch });
    ledger.commits.set(third.branch, c3.commit);
    await A.ok('evo_step', { phase: 'policy_pass', branch: third.branch });
    const bench3 = worker.benchmark(third.branch, BENCHMARK_CMD);
    const args3 = { phase: 'fitness_ready', branch: third.branch, fitness: bench3.values[0] };
    const [x, y] = await Promise.all([A.ok('evo_step', args3), B.ok('evo_step', args3)]);
    assert.deepEqual(x, y, 'identical concurrent reports get identical replies');
    assert.equal(x.total_evals, before + 3, 'and count once');
    ledger.evaluated.set(third.branch, bench3.values[0]);

    // Conflicting reports for the same branch at once: exactly one wins.
    const fourth = rest[1];
    worker.code(fourth);
    const c4 = await A.ok('evo_step', { phase: 'code_ready', branch: fourth.branch });
    ledger.commits.set(fourth.branch, c4.commit);
    await B.ok('evo_step', { phase: 'policy_pass', branch: fourth.branch });
    const [p, q] = await Promise.all([
      A.call('evo_step', { phase: 'fitness_ready', branch: fourth.branch, fitness: 10.5 }),
      B.call('evo_step', { phase: 'fitness_ready', branch: fourth.branch, fitness: 20.5 }),
    ]);
    assert.equal([p, q].filter((r) => r.ok).length, 1, 'exactly one conflicting report wins');
    const winner = p.ok ? p : q;
    const loser = p.ok ? q : p;
    assert.ok(loser.text.includes(fourth.branch), loser.text);
    ledger.evaluated.set(fourth.branch, winner.data.fitness);
    const [lA, lB] = await Promise.all([A.ok('evo_get_lineage', { branch: fourth.branch }),
                                        B.ok('evo_get_lineage', { branch: fourth.branch })]);
    assert.deepEqual(lA, lB);
    assert.deepEqual(lA.lineage[0].fitness, [winner.data.fitness], 'both see the winner');

    for (const item of rest.slice(2)) await processItem(callB, worker, ledger, item);
    const { reflect, next } = await selectAndReflect(callB, ledger);
    assert.equal(reflect.generation, 1);
    assert.equal(next.action, 'done', 'max_generations 2 reached');

    const [sA, sB] = await Promise.all([A.ok('evo_get_status', {}), B.ok('evo_get_status', {})]);
    assert.deepEqual(sA, sB);
    assert.equal(sA.phase, 'done');
    assert.equal(sA.total_evals, ledger.expectedTotalEvals(), 'every report counted exactly once');
    assert.deepEqual(sA.best_obj_overall, [ledger.bestFitness()]);
    const runsA = await A.ok('evo_list_runs', {});
    assert.equal(runsA.count, 1, 'one run, never forked');
    assert.deepEqual(runsA, await B.ok('evo_list_runs', {}));

    // A third process (the CLI) reads the same books.
    const cli = run(engineBinary(), ['status', '--data-dir', dataDir, '--json']);
    assert.equal(cli.status, 0, cli.stderr);
    const parsed = JSON.parse(cli.stdout);
    const text = JSON.stringify(parsed);
    assert.ok(text.includes(sA.run_id), 'evo-engine status --json shows the run');
  });
});
