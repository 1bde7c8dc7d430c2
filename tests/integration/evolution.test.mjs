// A full evolution through the official MCP TypeScript SDK: real commits, the real benchmark,
// policy rejections (server and agent), a cache hit, a failed benchmark, illegal transitions,
// the pinned-commit check, and the git refs the server manages.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { checkDispatch, checkReflect, checkRefsAfterSelect, checkWorkerDone } from './lib/checks.mjs';
import { initArgs, Ledger, processItem } from './lib/driver.mjs';
import { BENCHMARK_CMD, git, makeProjectRepo, resolveRef, SEED_LOSS, TARGET } from './lib/project.mjs';
import { startSdkServer } from './lib/sdk_server.mjs';
import { makeTempDir, removeTempDir } from './lib/util.mjs';
import { readParams, Worker, writeParams } from './lib/worker.mjs';

const EXPECTED_TOOLS = [
  'evo_init', 'evo_register_targets', 'evo_report_seed', 'evo_next_batch', 'evo_report_fitness',
  'evo_select_survivors', 'evo_get_status', 'evo_get_lineage', 'evo_freeze_target',
  'evo_boost_target', 'evo_record_synergy', 'evo_check_cache', 'evo_revalidate_targets',
  'evo_step', 'evo_stop', 'evo_list_runs',
];
const POP_SIZE = 5;
const TOP_K = 2;
const MAX_GENERATIONS = 4;

describe('evolution through the official SDK client', () => {
  let tmp;
  let repo;
  let server;
  let worker;
  let runId;
  let seedCommit;
  const ledger = new Ledger();
  let survivors = new Set();
  let dispatch;
  let dispatch0;

  const call = (name, args) => server.call(name, args);
  const ok = (name, args) => server.ok(name, args);
  const step = (args) => server.call('evo_step', args);
  const okStep = (args) => server.ok('evo_step', args);
  async function status() {
    return ok('evo_get_status', {});
  }

  before(async () => {
    tmp = makeTempDir('evo-evolution-');
    repo = makeProjectRepo(tmp);
    worker = new Worker(repo, { seed: 11 });
    server = await startSdkServer({ dataDir: path.join(tmp, 'data') });
  });

  after(async () => {
    try {
      if (server) {
        const exit = await server.close();
        assert.equal(exit.code, 0, `evo-engine exits 0 on EOF (got ${JSON.stringify(exit)})\n` +
                                   server.stderr());
      }
    } finally {
      removeTempDir(tmp);
    }
  });

  test('initialize and tools/list: every tool has input and output schemas', async () => {
    const info = server.client.getServerVersion();
    assert.equal(typeof info?.name, 'string');
    assert.equal(typeof info?.version, 'string');
    assert.ok(server.client.getServerCapabilities()?.tools, 'tools capability declared');
    const tools = [];
    let cursor;
    do {
      const page = await server.client.listTools(cursor ? { cursor } : {});
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    const names = tools.map((t) => t.name);
    for (const n of EXPECTED_TOOLS) assert.ok(names.includes(n), `tool ${n} is listed`);
    assert.equal(new Set(names).size, names.length, 'tool names are unique');
    for (const t of tools) {
      assert.match(t.name, /^[A-Za-z0-9_.-]{1,128}$/);
      assert.ok(typeof t.description === 'string' && t.description.length > 0, `${t.name} description`);
      assert.equal(t.inputSchema?.type, 'object', `${t.name} inputSchema`);
      assert.equal(t.outputSchema?.type, 'object', `${t.name} outputSchema`);
    }
    const step = tools.find((t) => t.name === 'evo_step');
    assert.deepEqual(new Set(step.inputSchema.properties.phase.enum),
                     new Set(['begin_generation', 'code_ready', 'policy_pass', 'policy_fail',
                              'fitness_ready', 'select', 'reflect_done']));
  });

  test('before any run: status is an error, list_runs is empty, bad paths are refused', async () => {
    const st = await call('evo_get_status', {});
    assert.equal(st.ok, false);
    assert.match(st.text, /evo_init/);
    const runs = await ok('evo_list_runs', {});
    assert.equal(runs.count, 0);
    assert.deepEqual(runs.runs, []);
    const rel = await call('evo_init', { repo_path: 'relative/repo', benchmark_cmd: BENCHMARK_CMD });
    assert.equal(rel.ok, false);
    assert.match(rel.text, /absolute/);
    const notGit = await call('evo_init', { repo_path: tmp, benchmark_cmd: BENCHMARK_CMD });
    assert.equal(notGit.ok, false, 'a directory that is not a repository is refused');
    assert.equal((await ok('evo_list_runs', {})).count, 0, 'refused inits create no run');
  });

  test('setup: init, targets, seed', async () => {
    const head = git(repo, ['rev-parse', 'HEAD']);
    // The checks below pin the reference strategy's survivor rules (the seed is not part of a
    // target's population); the adaptive strategy is covered by tests/unit/state/strategy_test.
    const init = await ok('evo_init', initArgs(repo, { pop_size: POP_SIZE, top_k_survive: TOP_K,
                                                       max_generations: MAX_GENERATIONS,
                                                       strategy: 'reference' }));
    assert.equal(init.status, 'initialized');
    assert.equal(typeof init.run_id, 'string');
    runId = init.run_id;
    assert.equal(init.seed_commit, head, 'the seed is HEAD when no seed-baseline tag exists');
    assert.equal(resolveRef(repo, 'refs/tags/seed-baseline'), head, 'evo_init tags seed-baseline');
    seedCommit = head;

    const reg = await ok('evo_register_targets', { targets: [TARGET] });
    assert.equal(reg.registered, 1);
    assert.deepEqual(reg.target_ids, [TARGET.id]);
    const again = await ok('evo_register_targets', { targets: [TARGET] });
    assert.deepEqual(again, reg, 're-registering an identical target gets the same reply');
    assert.equal(again.total_targets, 1, 're-registering an identical target adds nothing');
    const clash = await call('evo_register_targets',
                             { targets: [{ ...TARGET, function: 'unrelated' }] });
    assert.equal(clash.ok, false, 'a target id cannot be re-registered elsewhere');

    const early = await step({ phase: 'begin_generation' });
    assert.equal(early.ok, false, 'begin_generation before the seed is refused');
    assert.match(early.text, /evo_report_seed/);

    const bench = worker.benchmark('seed-baseline', BENCHMARK_CMD);
    assert.ok(bench.success, bench.reason);
    assert.equal(bench.values[0], SEED_LOSS, 'the real benchmark measures the seed');
    const seed = await ok('evo_report_seed', { fitness_values: bench.values });
    assert.equal(seed.seed_obj, SEED_LOSS, 'seed_obj is a number for one objective');
    assert.deepEqual(seed.seed_obj_values, [SEED_LOSS]);
    assert.equal(seed.total_evals, 1);
    ledger.seed = SEED_LOSS;
    assert.deepEqual(await ok('evo_report_seed', { fitness: SEED_LOSS }), seed,
                     'the same seed again (as a number) gets the same reply');
    const conflict = await call('evo_report_seed', { fitness_values: [SEED_LOSS + 1] });
    assert.equal(conflict.ok, false, 'a different seed fitness is a conflict');
    const arity = await call('evo_report_seed', { fitness_values: [1, 2] });
    assert.equal(arity.ok, false, 'two values for one objective are refused');
    assert.equal((await status()).total_evals, 1);
  });

  test('generation 0: cache hit, server rejection, agent rejection', async () => {
    dispatch = await okStep({ phase: 'begin_generation' });
    dispatch0 = dispatch;
    checkDispatch(dispatch, { generation: 0, survivors, repo });
    assert.equal(dispatch.items.length, POP_SIZE);
    for (const item of dispatch.items) assert.deepEqual(item.parent_branches, ['seed-baseline']);
    assert.deepEqual(await okStep({ phase: 'begin_generation' }), dispatch,
                     'begin_generation again returns the same batch');

    const early = await step({ phase: 'select' });
    assert.equal(early.ok, false, 'select with items in flight is refused');
    assert.match(early.text, /in flight/);
    assert.ok(early.text.includes(dispatch.items[0].branch), 'the refusal names the items');

    const [a, b, c, d, e] = dispatch.items;

    // a: a normal variant, step by step.
    const codedA = worker.code(a);
    ledger.tips.set(a.branch, codedA.commit);
    const check = await okStep({ phase: 'code_ready', branch: a.branch });
    assert.equal(check.action, 'check_policy');
    assert.equal(check.branch, a.branch);
    assert.equal(check.commit, codedA.commit, 'check_policy pins the branch tip');
    assert.equal(check.parent_commit, seedCommit);
    assert.deepEqual(check.changed_files, [TARGET.file]);
    assert.equal(typeof check.diff, 'string');
    assert.match(check.diff, /^[-+]\s+(alpha|beta|gamma) = /m, 'the diff shows the parameter change');
    assert.deepEqual(check.violations, []);
    assert.ok(Array.isArray(check.flags));
    ledger.commits.set(a.branch, check.commit);
    assert.deepEqual(await okStep({ phase: 'code_ready', branch: a.branch }), check,
                     'code_ready again (same commit) gets the same reply');
    const go = await okStep({ phase: 'policy_pass', branch: a.branch });
    assert.equal(go.action, 'run_benchmark');
    assert.equal(go.branch, a.branch);
    assert.equal(go.commit, codedA.commit);
    assert.equal(go.benchmark_cmd, BENCHMARK_CMD);
    assert.deepEqual(await okStep({ phase: 'policy_pass', branch: a.branch }), go);
    const benchA = worker.benchmark(a.branch, go.benchmark_cmd);
    assert.ok(benchA.success, benchA.reason);
    const doneA = await okStep({ phase: 'fitness_ready', branch: a.branch, success: true,
                                 fitness: benchA.values[0], raw_output: benchA.rawOutput });
    checkWorkerDone(doneA, { branch: a.branch, fitness: benchA.values[0], totalEvals: 2,
                             prevBest: ledger.bestSoFar() });
    ledger.evaluated.set(a.branch, benchA.values[0]);
    assert.deepEqual(await okStep({ phase: 'fitness_ready', branch: a.branch,
                                    fitness_values: benchA.values }),
                     doneA, 'the same report again gets the same reply');
    const clash = await step({ phase: 'fitness_ready', branch: a.branch,
                               fitness: benchA.values[0] + 1 });
    assert.equal(clash.ok, false, 'a conflicting re-report is refused');
    assert.ok(clash.text.includes(a.branch));
    const both = await step({ phase: 'fitness_ready', branch: a.branch, fitness: 1,
                              fitness_values: [2] });
    assert.equal(both.ok, false, 'disagreeing fitness and fitness_values are refused');
    assert.equal((await status()).total_evals, 2, 're-reports are counted once');

    // b: byte-identical target file to a -> a cache hit, no benchmark.
    const doneB = await processItem(call, worker, ledger, b, { edit: { copyFrom: a.branch } });
    assert.equal(doneB.cached, true, `cache hit expected: ${JSON.stringify(doneB)}`);
    assert.equal(doneB.cache_of, a.branch);
    checkWorkerDone(doneB, { branch: b.branch, fitness: benchA.values[0], totalEvals: 3 });
    assert.deepEqual(await okStep({ phase: 'code_ready', branch: b.branch }), doneB,
                     'a cache hit reported again gets the same reply');

    // c: also edits benchmark.py -> refused by the server, no agent involved.
    const doneC = await processItem(call, worker, ledger, c, { edit: { touchProtected: true } });
    assert.equal(doneC.action, 'worker_done');
    assert.equal(doneC.rejected, true);
    assert.ok(doneC.violations.some((v) => v.rule === 'protected_path' && v.path === 'benchmark.py'),
              `protected_path violation on benchmark.py: ${JSON.stringify(doneC.violations)}`);
    assert.equal(ledger.rejected.get(c.branch).by, 'server');
    const passC = await step({ phase: 'policy_pass', branch: c.branch });
    assert.equal(passC.ok, false, 'a rejected branch cannot be approved');
    assert.ok(passC.text.includes(c.branch));
    const fitC = await step({ phase: 'fitness_ready', branch: c.branch, fitness: 0.0 });
    assert.equal(fitC.ok, false, 'fitness for a rejected branch is refused');
    assert.ok(fitC.text.includes(c.branch) && /rejected/.test(fitC.text), fitC.text);
    assert.deepEqual(await okStep({ phase: 'code_ready', branch: c.branch }), doneC,
                     'the rejected commit reported again gets the same reply');

    // d: the policy agent rejects it.
    const doneD = await processItem(call, worker, ledger, d,
                                    { policy: () => ({ fail: 'hard-codes the optimum' }) });
    assert.equal(doneD.rejected, true);
    assert.equal(doneD.reason, 'hard-codes the optimum');
    assert.equal(ledger.rejected.get(d.branch).by, 'agent');
    const failAgain = await step({ phase: 'policy_fail', branch: d.branch, reason: 'other reason' });
    assert.equal(failAgain.ok, false, 'a second policy_fail with another reason is a conflict');

    // e: a normal variant, fitness sent as a one-element array.
    const prevBest = ledger.bestSoFar();
    const doneE = await processItem(call, worker, ledger, e, { fitnessAs: 'array' });
    checkWorkerDone(doneE, { branch: e.branch, totalEvals: 4, prevBest });

    assert.equal((await status()).total_evals, 4, 'seed + a + cache hit b + e (rejections are free)');

    // c is fixed by its worker (benchmark.py restored in a new commit, and a parameter nudged by
    // 1/16, a value no other variant produces): reviewed afresh.
    const modelC = worker.showRaw(c.branch, TARGET.file);
    const valuesC = readParams(modelC, TARGET.function).map((p) => p.value);
    valuesC[2] += 1 / 16;
    const fixedModelC = writeParams(modelC, TARGET.function, valuesC);
    worker.produced.add(fixedModelC);
    const fixC = worker.commitFiles(c.branch, {
      'benchmark.py': worker.showRaw('seed-baseline', 'benchmark.py'),
      [TARGET.file]: fixedModelC,
    }, { message: 'restore benchmark.py' });
    ledger.tips.set(c.branch, fixC);
    const recheck = await okStep({ phase: 'code_ready', branch: c.branch });
    assert.equal(recheck.action, 'check_policy', `the fixed variant is reviewed again: ${JSON.stringify(recheck)}`);
    assert.equal(recheck.commit, fixC);
    assert.deepEqual(recheck.violations, []);
    assert.deepEqual(recheck.changed_files, [TARGET.file]);
    ledger.commits.set(c.branch, fixC);
    ledger.rejected.delete(c.branch);
    const goC = await okStep({ phase: 'policy_pass', branch: c.branch });
    const benchC = worker.benchmark(c.branch, goC.benchmark_cmd);
    const prevC = ledger.bestSoFar();
    const doneFixed = await okStep({ phase: 'fitness_ready', branch: c.branch,
                                     fitness: benchC.values[0] });
    checkWorkerDone(doneFixed, { branch: c.branch, fitness: benchC.values[0], totalEvals: 5,
                                 prevBest: prevC });
    ledger.evaluated.set(c.branch, benchC.values[0]);

    const st = await status();
    assert.equal(st.total_evals, 5);
    assert.deepEqual(st.in_flight, []);
  });

  async function selectGeneration(generation, items) {
    const previousKeep = [...survivors];
    const reflect = await okStep({ phase: 'select' });
    checkReflect(reflect, { generation, items, previousKeep, ledger, topK: TOP_K });
    ledger.reflects.push(reflect);
    checkRefsAfterSelect(repo, { runId, reflect, ledger, seedCommit });
    assert.deepEqual(await okStep({ phase: 'select' }), reflect, 'select again: same reply');
    const early = await step({ phase: 'begin_generation' });
    assert.equal(early.ok, false, 'begin_generation after select needs reflect_done');
    assert.match(early.text, /reflect_done/);
    survivors = new Set(reflect.keep);
    const next = await okStep({ phase: 'reflect_done' });
    assert.deepEqual(await okStep({ phase: 'reflect_done' }), next, 'reflect_done again: same reply');
    return next;
  }

  test('generation 0 select, generation 1: illegal transition, pinned commit, failed benchmark',
       async () => {
    dispatch = await selectGeneration(0, dispatch.items);
    checkDispatch(dispatch, { generation: 1, survivors, repo });
    const [a, b, c, ...rest] = dispatch.items;

    // Fitness for an item that was never coded nor approved.
    const before = await status();
    const illegal = await step({ phase: 'fitness_ready', branch: a.branch, fitness: 1.0 });
    assert.equal(illegal.ok, false);
    assert.ok(illegal.text.includes(a.branch), `the error names the branch: ${illegal.text}`);
    assert.match(illegal.text, /planned/);
    assert.match(illegal.text, /allowed next: code_ready/);
    const missing = await step({ phase: 'code_ready', branch: a.branch });
    assert.equal(missing.ok, false, 'code_ready before the branch exists is refused');
    assert.match(missing.text, /does not exist/);
    const unknown = await step({ phase: 'fitness_ready', branch: 'gen-1/nope/mutate-9', fitness: 1 });
    assert.equal(unknown.ok, false, 'an unknown branch is refused');
    assert.deepEqual(await status(), before, 'refused calls change nothing');

    await processItem(call, worker, ledger, a);

    // b: approved, then committed again: the benchmarked commit was never reviewed.
    const codedB = worker.code(b);
    ledger.tips.set(b.branch, codedB.commit);
    const checkB = await okStep({ phase: 'code_ready', branch: b.branch });
    assert.equal(checkB.commit, codedB.commit);
    await okStep({ phase: 'policy_pass', branch: b.branch });
    const moved = worker.recommit(b);
    ledger.tips.set(b.branch, moved.commit);
    const benchMoved = worker.benchmark(b.branch, BENCHMARK_CMD);
    assert.ok(benchMoved.success);
    const evalsBefore = (await status()).total_evals;
    const pinned = await step({ phase: 'fitness_ready', branch: b.branch,
                                fitness: benchMoved.values[0] });
    assert.equal(pinned.ok, false, 'fitness for a branch that moved after review is refused');
    assert.match(pinned.text, /moved since review/);
    assert.ok(pinned.text.includes(codedB.commit) && pinned.text.includes(moved.commit),
              'the error names both commits');
    assert.equal((await status()).total_evals, evalsBefore);
    // The worker re-reports the new commit, which is reviewed afresh.
    const recheck = await okStep({ phase: 'code_ready', branch: b.branch });
    assert.equal(recheck.action, 'check_policy');
    assert.equal(recheck.commit, moved.commit, 'the new commit is pinned');
    ledger.commits.set(b.branch, recheck.commit);
    const rego = await okStep({ phase: 'policy_pass', branch: b.branch });
    assert.equal(rego.commit, moved.commit);
    const prevBest = ledger.bestSoFar();
    const doneB = await okStep({ phase: 'fitness_ready', branch: b.branch,
                                fitness: benchMoved.values[0] });
    checkWorkerDone(doneB, { branch: b.branch, fitness: benchMoved.values[0],
                             totalEvals: evalsBefore + 1, prevBest });
    ledger.evaluated.set(b.branch, benchMoved.values[0]);

    // c: a variant that breaks the benchmark (a real Python SyntaxError).
    const evalsC = (await status()).total_evals;
    const doneC = await processItem(call, worker, ledger, c, { edit: { syntaxError: true } });
    assert.ok(ledger.failed.has(c.branch), 'the benchmark really failed');
    assert.match(ledger.failed.get(c.branch), /SyntaxError/);
    checkWorkerDone(doneC, { branch: c.branch, success: false, totalEvals: evalsC + 1 });
    assert.match(doneC.reason, /SyntaxError/);

    for (const item of rest) {
      const prev = ledger.bestSoFar();
      const done = await processItem(call, worker, ledger, item, { fitnessAs: 'values' });
      if (!done.cached && !done.rejected) checkWorkerDone(done, { branch: item.branch, prevBest: prev });
    }
    assert.equal((await status()).total_evals, ledger.expectedTotalEvals());
  });

  test('generations 2..end run to done with a strictly better best', async (t) => {
    let next = await selectGeneration(1, dispatch.items);
    while (next.action === 'dispatch_workers') {
      checkDispatch(next, { generation: next.generation, survivors, repo });
      for (const item of next.items) {
        const prev = ledger.bestSoFar();
        const done = await processItem(call, worker, ledger, item);
        if (!done.cached && !done.rejected) {
          checkWorkerDone(done, { branch: item.branch, prevBest: prev });
        }
      }
      next = await selectGeneration(next.generation, next.items);
    }
    const done = next;
    assert.equal(done.action, 'done');
    assert.equal(ledger.reflects.length, MAX_GENERATIONS, `${MAX_GENERATIONS} generations ran`);
    assert.equal(done.reason_code, 'max_generations');
    assert.equal(typeof done.reason, 'string');
    assert.equal(done.total_evals, ledger.expectedTotalEvals());
    assert.equal(typeof done.best_branch, 'string');
    assert.ok(typeof done.best_obj === 'number', 'best_obj is a number for one objective');
    assert.ok(done.best_obj < SEED_LOSS, `the best (${done.best_obj}) beats the seed (${SEED_LOSS})`);
    assert.equal(done.best_obj, ledger.bestFitness(), 'done.best_obj is the best reported fitness');
    assert.equal(ledger.evaluated.get(done.best_branch), done.best_obj);
    assert.match(done.improvement?.loss ?? '', /^-\d/, 'improvement shows a lower loss');
    assert.deepEqual([...ledger.cached.keys()], [dispatch0.items[1].branch],
                     'the only cache hit is the scripted one (the worker never repeats itself)');
    t.diagnostic(`seed ${SEED_LOSS} -> best ${done.best_obj} on ${done.best_branch} ` +
                 `(${done.improvement.loss}); ${ledger.evaluated.size} evaluated, ` +
                 `${ledger.failed.size} failed, ${ledger.cached.size} cache hits, ` +
                 `${ledger.rejected.size} rejected; total_evals ${done.total_evals}; ` +
                 `cache hits: ${JSON.stringify([...ledger.cached])}`);
    assert.equal(resolveRef(repo, 'refs/tags/best-overall'), ledger.commits.get(done.best_branch));

    // The run is finished: no more changes, the same summary.
    assert.deepEqual(await okStep({ phase: 'begin_generation' }), done);
    const late = await step({ phase: 'code_ready', branch: done.best_branch });
    assert.equal(late.ok, false);
    assert.match(late.text, /finished/);
  });

  test('a second run lives side by side; the seed is the seed-baseline tag; evo_stop', async () => {
    // main moves on; the existing seed-baseline tag still names the seed.
    fs.writeFileSync(path.join(repo, 'README.md'), 'moved on\n');
    git(repo, ['commit', '-q', '-am', 'main moves on']);
    const init2 = await ok('evo_init', initArgs(repo, { pop_size: 2 }));
    assert.notEqual(init2.run_id, runId);
    assert.equal(init2.seed_commit, seedCommit, 'the seed-baseline tag wins over HEAD');
    const latest = await status();
    assert.equal(latest.run_id, init2.run_id, 'tools act on the latest run by default');
    assert.equal(latest.phase, 'setup');
    const first = await ok('evo_get_status', { run: runId });
    assert.equal(first.phase, 'done', 'the first run is reachable with `run`');
    const stop = await ok('evo_stop', { reason: 'enough' });
    assert.equal(stop.action, 'done');
    assert.equal(stop.reason_code, 'stopped');
    assert.match(stop.reason, /enough/);
    assert.deepEqual(await ok('evo_stop', {}), stop, 'stopping a finished run returns its summary');
    const runs = await ok('evo_list_runs', {});
    assert.equal(runs.count, 2);
    assert.equal(runs.latest_run, init2.run_id);
    assert.deepEqual(runs.runs.map((r) => r.run_id), [runId, init2.run_id], 'oldest first');
  });

  test('status, lineage and list_runs agree with the reported history', async () => {
    const st = await ok('evo_get_status', { run: runId });
    const best = ledger.bestFitness();
    assert.equal(st.run_id, runId);
    assert.equal(st.phase, 'done');
    assert.equal(st.generation, MAX_GENERATIONS);
    assert.equal(st.total_evals, ledger.expectedTotalEvals());
    assert.equal(st.budget_remaining, 200 - st.total_evals);
    assert.deepEqual(st.seed_obj, [SEED_LOSS]);
    assert.deepEqual(st.best_obj_overall, [best]);
    assert.equal(ledger.evaluated.get(st.best_branch_overall), best);
    assert.deepEqual(st.in_flight, []);
    assert.equal(st.done_reason_code, 'max_generations');
    assert.equal(st.repo_path, repo);
    assert.deepEqual(st.targets[TARGET.id].current_best_obj, [best]);
    assert.ok(st.pareto_front.some((m) => m.branch === st.best_branch_overall));

    // Lineage of the best: back to the seed, with the reported fitnesses.
    const lin = await ok('evo_get_lineage', { run: runId, branch: st.best_branch_overall });
    assert.equal(lin.branch, st.best_branch_overall);
    assert.equal(lin.lineage[0].branch, st.best_branch_overall);
    assert.deepEqual(lin.lineage[0].fitness, [best]);
    const seen = new Set(lin.lineage.map((e) => e.branch));
    assert.ok(seen.has('seed-baseline'), 'the lineage reaches the seed');
    for (const entry of lin.lineage) {
      for (const p of entry.parent_branches) assert.ok(seen.has(p), `parent ${p} is in the lineage`);
      if (entry.branch === 'seed-baseline') {
        assert.equal(entry.operation, 'seed');
        assert.deepEqual(entry.fitness, [SEED_LOSS]);
      } else {
        assert.deepEqual(entry.fitness, [ledger.evaluated.get(entry.branch)], entry.branch);
        assert.equal(entry.state, 'evaluated');
        assert.equal(entry.commit, ledger.commits.get(entry.branch));
      }
    }

    // Every acknowledged outcome is in the books.
    for (const [branch, f] of ledger.evaluated) {
      const e = (await ok('evo_get_lineage', { run: runId, branch })).lineage[0];
      assert.equal(e.state, 'evaluated', branch);
      assert.deepEqual(e.fitness, [f], branch);
    }
    for (const [branch, { of, fitness }] of ledger.cached) {
      const e = (await ok('evo_get_lineage', { run: runId, branch })).lineage[0];
      assert.equal(e.cache_of, of, branch);
      assert.deepEqual(e.fitness, [fitness], branch);
    }
    for (const [branch, { reason }] of ledger.rejected) {
      const e = (await ok('evo_get_lineage', { run: runId, branch })).lineage[0];
      assert.equal(e.state, 'rejected', branch);
      assert.equal(e.success, false);
      if (reason) assert.ok(e.reason.includes(reason) || reason.includes(e.reason), e.reason);
    }
    for (const [branch] of ledger.failed) {
      const e = (await ok('evo_get_lineage', { run: runId, branch })).lineage[0];
      assert.equal(e.state, 'failed', branch);
      assert.equal(e.fitness, null);
    }
    const unknown = await call('evo_get_lineage', { run: runId, branch: 'gen-0/loss/none-0' });
    assert.equal(unknown.ok, false);

    const runs = await ok('evo_list_runs', {});
    assert.equal(runs.runs[0].run_id, runId);
    assert.equal(runs.runs[0].phase, 'done');
    assert.equal(runs.runs[0].total_evals, st.total_evals);
    assert.equal(runs.runs[0].best_branch, st.best_branch_overall);
    assert.equal(runs.runs[0].best_obj, best);

    // An unknown run id is an error.
    const bad = await call('evo_get_status', { run: 'run-nope' });
    assert.equal(bad.ok, false);
    assert.match(bad.text, /run-nope/);
  });
});
