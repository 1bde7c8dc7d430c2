// The scripted orchestrator + worker + policy agent loop, over any `call(tool, args)` that
// returns {ok, data, text} (the SDK client, the raw kill -9 client, or two clients in turn).
// A Ledger keeps every acknowledged reply, so tests can check the server's books against it.
import assert from 'node:assert/strict';

import { BENCHMARK_CMD, TARGET } from './project.mjs';

export class Ledger {
  constructor() {
    this.seed = null;              // seed fitness (number)
    this.evaluated = new Map();    // branch -> fitness (number), acknowledged fitness_ready
    this.failed = new Map();       // branch -> reason, acknowledged success:false
    this.cached = new Map();       // branch -> {of, fitness}, acknowledged cache hits
    this.rejected = new Map();     // branch -> {by: 'server'|'agent', reason}
    this.commits = new Map();      // branch -> reviewed commit (from check_policy)
    this.tips = new Map();         // branch -> the last commit the worker made on it
    this.dispatches = [];          // dispatch_workers replies, in order
    this.reflects = [];            // reflect replies, in order
    this.done = null;
    this.acks = [];                // [{tool, args, data}] every acknowledged state-changing call
  }

  expectedTotalEvals() {
    return (this.seed === null ? 0 : 1) + this.evaluated.size + this.failed.size +
           this.cached.size;
  }

  bestFitness() {
    let best = this.seed;
    for (const f of this.evaluated.values()) if (best === null || f < best) best = f;
    return best;
  }

  bestSoFar() {
    return this.bestFitness();
  }
}

function must(r, what) {
  assert.ok(r.ok, `${what} failed: ${r.text}`);
  return r.data;
}

async function ack(ledger, call, tool, args) {
  const r = await call(tool, args);
  if (r.ok) ledger.acks.push({ tool, args, data: r.data });
  return r;
}

export function initArgs(repo, overrides = {}) {
  return {
    repo_path: repo,
    benchmark_cmd: BENCHMARK_CMD,
    objectives: [{ name: 'loss', direction: 'min' }],
    max_fe: 200,
    pop_size: 4,
    top_k_survive: 2,
    synergy_interval: 1000,
    max_generations: 3,
    seed: 7,
    ...overrides,
  };
}

export async function setupRun(call, worker, ledger, repo, overrides = {}) {
  const init = must(await ack(ledger, call, 'evo_init', initArgs(repo, overrides)), 'evo_init');
  must(await ack(ledger, call, 'evo_register_targets', { targets: [TARGET] }),
       'evo_register_targets');
  const bench = worker.benchmark('seed-baseline', BENCHMARK_CMD);
  assert.ok(bench.success, `the seed benchmark failed: ${bench.reason}`);
  const seed = must(await ack(ledger, call, 'evo_report_seed', { fitness_values: bench.values }),
                    'evo_report_seed');
  ledger.seed = bench.values[0];
  return { init, seed };
}

// The policy agent: approves a clean diff of the target file, otherwise says why not.
export function defaultPolicy(check) {
  if (check.violations.length > 0) return { fail: 'hard violations' };
  if (check.changed_files.some((f) => f !== TARGET.file)) return { fail: 'out of scope' };
  return { pass: true };
}

// Runs one batch item from coding to worker_done. Returns the final worker_done reply.
//   edit:   passed to Worker.code (scenario)
//   policy: (check_policy reply) -> {pass: true} | {fail: reason}
export async function processItem(call, worker, ledger, item, { edit = {}, policy = defaultPolicy,
                                                                  fitnessAs = 'number' } = {}) {
  const { commit } = worker.code(item, edit);
  ledger.tips.set(item.branch, commit);
  let reply = must(await ack(ledger, call, 'evo_step', { phase: 'code_ready', branch: item.branch }),
                   `code_ready ${item.branch}`);
  if (reply.action === 'check_policy') {
    ledger.commits.set(item.branch, reply.commit);
    assert.equal(reply.commit, commit, 'check_policy pins the branch tip');
    const decision = policy(reply);
    if (decision.fail) {
      reply = must(await ack(ledger, call, 'evo_step', { phase: 'policy_fail', branch: item.branch,
                                                         reason: decision.fail }),
                   `policy_fail ${item.branch}`);
      assert.equal(reply.action, 'worker_done');
      assert.equal(reply.rejected, true);
      ledger.rejected.set(item.branch, { by: 'agent', reason: decision.fail });
      return reply;
    }
    reply = must(await ack(ledger, call, 'evo_step', { phase: 'policy_pass', branch: item.branch }),
                 `policy_pass ${item.branch}`);
  }
  if (reply.action === 'worker_done') {
    if (reply.rejected) {
      ledger.rejected.set(item.branch, { by: 'server', reason: reply.reason });
    } else if (reply.cached) {
      ledger.cached.set(item.branch, { of: reply.cache_of, fitness: reply.fitness });
      assert.ok(ledger.evaluated.has(reply.cache_of), `cache_of ${reply.cache_of} was evaluated`);
      assert.equal(reply.fitness, ledger.evaluated.get(reply.cache_of), 'a cache hit reuses the fitness');
      assert.equal(reply.total_evals, ledger.expectedTotalEvals(), 'a cache hit counts as an evaluation');
    } else {
      assert.fail(`unexpected worker_done at code_ready: ${JSON.stringify(reply)}`);
    }
    return reply;
  }
  assert.equal(reply.action, 'run_benchmark', `unexpected reply ${JSON.stringify(reply)}`);
  const bench = worker.benchmark(item.branch, reply.benchmark_cmd);
  const args = { phase: 'fitness_ready', branch: item.branch, success: bench.success };
  if (bench.success) {
    if (fitnessAs === 'array') args.fitness = bench.values;
    else if (fitnessAs === 'values') args.fitness_values = bench.values;
    else args.fitness = bench.values[0];
  } else {
    args.reason = bench.reason;
    args.raw_output = bench.rawOutput;
  }
  const done = must(await ack(ledger, call, 'evo_step', args), `fitness_ready ${item.branch}`);
  assert.equal(done.action, 'worker_done');
  if (bench.success) ledger.evaluated.set(item.branch, bench.values[0]);
  else ledger.failed.set(item.branch, bench.reason);
  assert.equal(done.branch, item.branch);
  assert.equal(done.success, bench.success);
  assert.equal(done.fitness, bench.success ? bench.values[0] : null, 'worker_done echoes the fitness');
  assert.equal(done.total_evals, ledger.expectedTotalEvals(), `total_evals after ${item.branch}`);
  return done;
}

// select + reflect_done; returns {reflect, next} where next is dispatch_workers or done.
export async function selectAndReflect(call, ledger) {
  const reflect = must(await ack(ledger, call, 'evo_step', { phase: 'select' }), 'select');
  assert.equal(reflect.action, 'reflect');
  ledger.reflects.push(reflect);
  const next = must(await ack(ledger, call, 'evo_step', { phase: 'reflect_done' }), 'reflect_done');
  if (next.action === 'dispatch_workers') ledger.dispatches.push(next);
  else ledger.done = next;
  return { reflect, next };
}

// The scenario used by the kill -9 and two-process tests: every kind of worker outcome appears.
export function standardScenario(gen, idx, items) {
  if (gen === 0 && idx === 1) return { edit: { copyFrom: items[0].branch } };  // cache hit
  if (gen === 0 && idx === 2) return { edit: { touchProtected: true } };       // server rejects
  if (gen === 1 && idx === 1) return { edit: { syntaxError: true } };          // benchmark fails
  if (gen === 1 && idx === 2) return { policy: () => ({ fail: 'the reviewer dislikes it' }) };
  return {};
}

// Drives a run that is set up (targets, seed) to the end. `caller(gen, idx)` may pick the
// call function per item (two processes in turn).
export async function runToEnd(call, worker, ledger, { scenario = standardScenario,
                                                       callerFor = () => call } = {}) {
  let next = must(await ack(ledger, call, 'evo_step', { phase: 'begin_generation' }),
                  'begin_generation');
  assert.equal(next.action, 'dispatch_workers');
  ledger.dispatches.push(next);
  while (next.action === 'dispatch_workers') {
    const gen = next.generation;
    for (const [idx, item] of next.items.entries()) {
      await processItem(callerFor(gen, idx), worker, ledger, item, scenario(gen, idx, next.items));
    }
    ({ next } = await selectAndReflect(call, ledger));
  }
  assert.equal(next.action, 'done');
  return next;
}

// Strips what legitimately differs between two replays of the same script (ids, commit ids,
// paths) so that their replies can be compared.
export function stripVolatile(value) {
  const volatile = new Set(['run_id', 'commit', 'parent_commit', 'repo_path', 'seed_commit',
                            'created_at_ms', 'latest_run']);
  if (Array.isArray(value)) return value.map(stripVolatile);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (!volatile.has(k)) out[k] = stripVolatile(v);
    }
    return out;
  }
  return value;
}
