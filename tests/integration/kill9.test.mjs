// kill -9 durability: the scripted evolution runs against a raw newline-JSON-RPC client while
// the server is SIGKILLed at seeded random points (after a reply, mid-line, with requests in
// flight; see lib/killing_caller.mjs) and restarted on the same data dir, with frequent
// snapshots. Un-acknowledged requests are re-sent. At the end every acknowledged report must be
// in the books, counted once, and the run must be the very same run as an undisturbed replay of
// the same script. EVO_KILL_SEED and EVO_KILL_PROBABILITY pick other kill schedules.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Ledger, processItem, runToEnd, setupRun, stripVolatile } from './lib/driver.mjs';
import { KILL_MODES, KillingCaller } from './lib/killing_caller.mjs';
import { branchExists, listRefs, makeProjectRepo, objectType, resolveRef } from './lib/project.mjs';
import { RawServer } from './lib/raw_server.mjs';
import { normalizeToolResult, startSdkServer } from './lib/sdk_server.mjs';
import { makeTempDir, removeTempDir } from './lib/util.mjs';
import { Worker } from './lib/worker.mjs';

const KILL_SEED = Number(process.env.EVO_KILL_SEED ?? 20250917);
const KILL_PROBABILITY = Number(process.env.EVO_KILL_PROBABILITY ?? 0.2);

async function scriptedRun(tmp, { killProbability, seed, serverArgs = [] }) {
  const repo = makeProjectRepo(tmp);
  const dataDir = path.join(tmp, 'data');
  const worker = new Worker(repo, { seed: 5 });
  const ledger = new Ledger();
  const caller = new KillingCaller({ dataDir, seed, killProbability, serverArgs });
  try {
    await setupRun(caller.call, worker, ledger, repo);
    await runToEnd(caller.call, worker, ledger);
    await caller.ensure();  // the last call may have been followed by a kill
    const exit = await caller.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'the last server exits 0 on EOF');
  } catch (e) {
    await caller.killAll();
    const last = caller.servers.at(-1);
    e.message += `\nkills so far: ${JSON.stringify(caller.kills)}\nlast server stderr:\n${last?.stderr ?? ''}`;
    throw e;
  }
  return { repo, dataDir, ledger, caller };
}

async function withFreshServer(dataDir, fn) {
  const srv = new RawServer({ dataDir });
  try {
    await srv.start();
    const call = async (tool, args) => {
      const msg = await srv.callTool(tool, args).reply;
      assert.ok(!msg.error, JSON.stringify(msg.error));
      return normalizeToolResult(msg.result, tool);
    };
    const result = await fn(call);
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
    assert.deepEqual(srv.problems, []);
    return result;
  } finally {
    await srv.kill();
  }
}

describe('kill -9 at random points loses nothing acknowledged', () => {
  const tmps = [];
  let killed;
  let calm;

  before(() => {
    tmps.push(makeTempDir('evo-kill9-'), makeTempDir('evo-calm-'));
  });

  after(() => {
    for (const t of tmps) removeTempDir(t);
  });

  test('the scripted run survives the kills and finishes', async (t) => {
    t.diagnostic(`EVO_KILL_SEED=${KILL_SEED} EVO_KILL_PROBABILITY=${KILL_PROBABILITY}`);
    // Frequent snapshots: restarts load a snapshot and replay the events after it.
    killed = await scriptedRun(tmps[0], { killProbability: KILL_PROBABILITY, seed: KILL_SEED,
                                          serverArgs: ['--snapshot-every', '3'] });
    const { caller, ledger } = killed;
    t.diagnostic(`${caller.calls} calls, ${caller.kills.length} kills, ${caller.resends} re-sends, ` +
                 `${caller.servers.length} server processes`);
    t.diagnostic(`kills: ${JSON.stringify(caller.kills)}`);
    assert.ok(caller.kills.length >= 8, `at least 8 kills happened (${caller.kills.length})`);
    for (const mode of KILL_MODES) {
      assert.ok(caller.kills.some((k) => k.mode === mode), `a kill in mode ${mode} happened`);
    }
    assert.ok(caller.kills.some((k) => k.tool === 'evo_step' && k.mode !== 'after_reply'),
              'an evo_step was killed in flight');
    assert.deepEqual(caller.hygieneProblems(), [], 'every stdout line was valid JSON-RPC');
    assert.equal(ledger.done.action, 'done');
    assert.ok(ledger.evaluated.size > 0 && ledger.cached.size > 0 && ledger.failed.size > 0 &&
              ledger.rejected.size > 0, 'every kind of outcome was reported');
  });

  test('every acknowledged report is in the final status and lineage, counted once', async () => {
    assert.ok(killed, 'the killed run finished');
    const { ledger, dataDir } = killed;
    await withFreshServer(dataDir, async (call) => {
      const runs = (await call('evo_list_runs', {})).data;
      assert.equal(runs.count, 1, 'no run was forked or duplicated by re-sent requests');
      const st = (await call('evo_get_status', {})).data;
      assert.equal(st.phase, 'done');
      assert.equal(st.generation, ledger.reflects.length);
      assert.equal(st.total_evals, ledger.expectedTotalEvals(),
                   `total_evals = seed + ${ledger.evaluated.size} evaluated + ` +
                   `${ledger.failed.size} failed + ${ledger.cached.size} cache hits`);
      assert.deepEqual(st.best_obj_overall, [ledger.bestFitness()]);
      assert.equal(ledger.evaluated.get(st.best_branch_overall), ledger.bestFitness());
      assert.deepEqual(st.in_flight, []);
      assert.equal(st.best_branch_overall, ledger.done.best_branch);

      for (const [branch, f] of ledger.evaluated) {
        const e = (await call('evo_get_lineage', { branch })).data.lineage[0];
        assert.equal(e.branch, branch);
        assert.equal(e.state, 'evaluated', branch);
        assert.deepEqual(e.fitness, [f], branch);
        assert.equal(e.commit, ledger.commits.get(branch), `${branch} keeps its reviewed commit`);
      }
      for (const [branch, { of, fitness }] of ledger.cached) {
        const e = (await call('evo_get_lineage', { branch })).data.lineage[0];
        assert.equal(e.cache_of, of);
        assert.deepEqual(e.fitness, [fitness]);
      }
      for (const [branch] of ledger.failed) {
        const e = (await call('evo_get_lineage', { branch })).data.lineage[0];
        assert.equal(e.state, 'failed', branch);
      }
      for (const [branch] of ledger.rejected) {
        const e = (await call('evo_get_lineage', { branch })).data.lineage[0];
        assert.equal(e.state, 'rejected', branch);
      }
      // Every planned item is accounted for exactly once.
      const planned = ledger.dispatches.flatMap((d) => d.items.map((i) => i.branch));
      assert.equal(new Set(planned).size, planned.length, 'no branch planned twice');
      const outcomes = [...ledger.evaluated.keys(), ...ledger.failed.keys(),
                        ...ledger.cached.keys(), ...ledger.rejected.keys()];
      assert.deepEqual([...outcomes].sort(), [...planned].sort(),
                       'each planned item has exactly one outcome');
    });
  });

  test('git refs match the acknowledged selections', async (t) => {
    assert.ok(killed, 'the killed run finished');
    const { ledger, repo, caller } = killed;
    const init = ledger.acks[0];
    assert.equal(init.tool, 'evo_init');
    const runId = init.data.run_id;
    // A select killed in flight may die between its commit and its ref updates; the re-sent
    // select repairs them (see the test below). But a death in the middle of a libgit2 ref
    // write can also leave a stale lock (refs/tags/best-overall.lock, packed-refs.lock), which
    // git, like the server, must not break on its own. So refs are only required from the
    // generations before the first select killed in flight; problems after it are reported as
    // diagnostics.
    let firstUnsafe = Infinity;
    for (const k of caller.kills) {
      if (k.phase !== 'select' || !['in_flight', 'in_flight_delay'].includes(k.mode)) continue;
      firstUnsafe = Math.min(firstUnsafe, ledger.acks[k.call - 1].data.generation);
    }
    const unsafe = { has: (g) => g >= firstUnsafe };
    if (firstUnsafe !== Infinity) t.diagnostic(`refs not required from generation ${firstUnsafe} on`);
    const commitOf = (b) => (b === 'seed-baseline' ? init.data.seed_commit : ledger.commits.get(b));
    const problems = (r) => {
      const out = [];
      const tag = resolveRef(repo, `refs/tags/best-gen-${r.generation}`);
      if (tag !== commitOf(r.best_branch)) {
        out.push(`best-gen-${r.generation} is ${tag}, not ${r.best_branch}'s commit`);
      }
      for (const b of r.eliminate) {
        const id = resolveRef(repo, `refs/evo/archive/${runId}/${b}`);
        if (id !== ledger.tips.get(b)) out.push(`${b} is not archived at its last commit (${id})`);
        else if (objectType(repo, id) !== 'commit') out.push(`${b}'s archive is not a commit`);
        if (branchExists(repo, b)) out.push(`eliminated ${b} was not deleted`);
      }
      return out;
    };
    for (const r of ledger.reflects) {
      const found = problems(r);
      if (unsafe.has(r.generation)) {
        if (found.length) t.diagnostic(`generation ${r.generation} (at or after a select killed in flight): ${found}`);
        continue;
      }
      assert.deepEqual(found, [], `refs of generation ${r.generation}`);
    }
    const locks = fs.readdirSync(path.join(repo, '.git'), { recursive: true })
      .filter((f) => String(f).endsWith('.lock'));
    if (locks.length) t.diagnostic(`stale git locks left by killed servers: ${locks}`);
    if (firstUnsafe === Infinity) {
      assert.deepEqual(locks, [], 'no stale git locks');
      assert.equal(resolveRef(repo, 'refs/tags/best-overall'), commitOf(ledger.done.best_branch));
    }
  });

  test('the killed run is the same run as an undisturbed replay of the script', async () => {
    assert.ok(killed, 'the killed run finished');
    calm = await scriptedRun(tmps[1], { killProbability: 0, seed: KILL_SEED });
    assert.equal(calm.caller.kills.length, 0);
    const comparable = ({ tool, args, data }) => {
      const d = stripVolatile(data);
      return { tool, args, data: d };
    };
    const a = killed.ledger.acks.map(comparable);
    const b = calm.ledger.acks.map(comparable);
    assert.equal(a.length, b.length, 'the same number of acknowledged calls');
    for (let i = 0; i < a.length; i++) {
      // The temp paths differ between the two replays (repo_path, paths in raw_output).
      const strip = (x) => ({ ...x, args: { ...x.args, repo_path: undefined, raw_output: undefined } });
      assert.deepEqual(strip(a[i]), strip(b[i]), `acknowledged call #${i} (${a[i].tool})`);
    }
    const statusOf = (dataDir) => withFreshServer(dataDir, async (call) =>
      stripVolatile((await call('evo_get_status', {})).data));
    assert.deepEqual(await statusOf(killed.dataDir), await statusOf(calm.dataDir),
                     'the final status is the same');
  });
});

// The ref updates after select (best-gen-N, best-overall, refs/evo/archive/...) run after the
// events are committed. If the process dies in between (kill -9), the client re-sends select,
// gets the recorded reflect reply, and the refs must still be written. The crash window is a
// few milliseconds wide, so this test makes the ref updates fail instead (ref lock files), which
// leaves git in the same state as a crash right after the commit, then re-sends select.
describe('refs after a crash between select\'s commit and its ref updates', () => {
  test('a re-sent select repairs the best-* tags and the archive refs', async () => {
    const tmp = makeTempDir('evo-refs-');
    let server;
    try {
      const repo = makeProjectRepo(tmp);
      const worker = new Worker(repo, { seed: 1 });
      server = await startSdkServer({ dataDir: path.join(tmp, 'data'), logLevel: 'error' });
      const ledger = new Ledger();
      const { init } = await setupRun(server.call, worker, ledger, repo,
                                      { pop_size: 4, top_k_survive: 1 });
      const d = await server.ok('evo_step', { phase: 'begin_generation' });
      for (const item of d.items) await processItem(server.call, worker, ledger, item);
      const locks = [path.join(repo, '.git/refs/tags/best-overall.lock'),
                     path.join(repo, '.git/refs/tags/best-gen-0.lock')];
      for (const item of d.items) {
        locks.push(path.join(repo, '.git/refs/evo/archive', init.run_id, `${item.branch}.lock`));
      }
      for (const l of locks) {
        fs.mkdirSync(path.dirname(l), { recursive: true });
        fs.writeFileSync(l, '');
      }
      const first = await server.ok('evo_step', { phase: 'select' });
      for (const l of locks) fs.rmSync(l, { force: true });
      const again = await server.ok('evo_step', { phase: 'select' });
      assert.deepEqual(again, first);
      assert.ok(first.eliminate.length > 0);
      assert.equal(resolveRef(repo, 'refs/tags/best-gen-0'), ledger.commits.get(first.best_branch) ??
                   init.seed_commit, 'best-gen-0 is written by the re-sent select');
      assert.ok(resolveRef(repo, 'refs/tags/best-overall'), 'best-overall is written');
      const archived = listRefs(repo, `refs/evo/archive/${init.run_id}`);
      for (const b of first.eliminate) {
        assert.equal(archived.get(`refs/evo/archive/${init.run_id}/${b}`), ledger.tips.get(b),
                     `${b} is archived`);
      }
    } finally {
      await server?.close();
      removeTempDir(tmp);
    }
  });
});
