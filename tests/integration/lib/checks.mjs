// Assertions on reply shapes (the seed protocol's field names) and on the git refs the server
// manages, shared by the test files.
import assert from 'node:assert/strict';

import { branchExists, objectType, resolveRef, TARGET } from './project.mjs';

export const OPERATIONS = ['mutate', 'crossover', 'structural', 'synergy'];

export function isSingleNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

// dispatch_workers: {generation, batch_size, items:[{branch, operation, target_id,
// parent_branches, target_file, target_function}]}; parents must be refs the worker can check
// out: seed-baseline or a survivor of the previous selection.
export function checkDispatch(reply, { generation, survivors, repo }) {
  assert.equal(reply.action, 'dispatch_workers');
  assert.equal(reply.generation, generation, 'dispatch generation');
  assert.ok(Array.isArray(reply.items) && reply.items.length > 0, 'dispatch has items');
  assert.equal(reply.batch_size, reply.items.length, 'batch_size counts the items');
  const branches = new Set();
  for (const item of reply.items) {
    assert.equal(typeof item.branch, 'string');
    assert.ok(item.branch.startsWith(`gen-${generation}/`), `branch ${item.branch} names its generation`);
    assert.ok(!branches.has(item.branch), `branch ${item.branch} planned twice`);
    branches.add(item.branch);
    assert.ok(OPERATIONS.includes(item.operation), `operation ${item.operation}`);
    assert.equal(item.target_id, TARGET.id);
    assert.equal(item.target_file, TARGET.file);
    assert.equal(item.target_function, TARGET.function);
    assert.ok(Array.isArray(item.parent_branches) && item.parent_branches.length >= 1,
              `${item.branch} has parents`);
    for (const p of item.parent_branches) {
      assert.ok(p === 'seed-baseline' || survivors.has(p),
                `parent ${p} of ${item.branch} is seed-baseline or a survivor (${[...survivors]})`);
      if (repo) assert.ok(resolveRef(repo, p), `parent ${p} of ${item.branch} resolves in git`);
    }
  }
}

// worker_done after fitness_ready (or a cache hit): one objective -> fitness is a number and
// fitness_values a one-element array.
export function checkWorkerDone(reply, { branch, fitness, success = true, totalEvals, prevBest }) {
  assert.equal(reply.action, 'worker_done');
  assert.equal(reply.branch, branch);
  assert.equal(typeof reply.is_new_best, 'boolean', 'is_new_best');
  assert.equal(typeof reply.on_pareto_front, 'boolean', 'on_pareto_front');
  assert.ok(Number.isInteger(reply.total_evals), 'total_evals is an integer');
  if (totalEvals !== undefined) assert.equal(reply.total_evals, totalEvals, 'total_evals');
  if (success) {
    assert.equal(reply.success, true);
    assert.ok(isSingleNumber(reply.fitness), `fitness is a number for one objective: ${JSON.stringify(reply.fitness)}`);
    assert.deepEqual(reply.fitness_values, [reply.fitness], 'fitness_values is the array form');
    if (fitness !== undefined) assert.equal(reply.fitness, fitness);
    if (prevBest !== undefined && prevBest !== null) {
      if (reply.fitness < prevBest) {
        assert.equal(reply.is_new_best, true, `${branch}: ${reply.fitness} beats ${prevBest}`);
        assert.equal(reply.on_pareto_front, true, `${branch} is on the front`);
      } else if (reply.fitness > prevBest) {
        assert.equal(reply.is_new_best, false, `${branch}: ${reply.fitness} is worse than ${prevBest}`);
        assert.equal(reply.on_pareto_front, false, `${branch} is dominated`);
      } else {
        assert.equal(reply.is_new_best, false, `${branch} ties the best`);
      }
    }
  } else {
    assert.equal(reply.success, false);
    assert.equal(reply.fitness, null);
    assert.equal(reply.is_new_best, false);
    assert.equal(typeof reply.reason, 'string');
  }
}

// reflect: keep/eliminate partition the population; single objective -> every kept variant is
// at least as good as every eliminated evaluated one; at most top_k survive.
export function checkReflect(reflect, { generation, items, previousKeep, ledger, topK }) {
  assert.equal(reflect.action, 'reflect');
  assert.equal(reflect.generation, generation);
  assert.ok(Array.isArray(reflect.keep) && Array.isArray(reflect.eliminate));
  assert.equal(typeof reflect.best_branch, 'string');
  assert.ok(isSingleNumber(reflect.best_obj), `best_obj is a number: ${JSON.stringify(reflect.best_obj)}`);
  assert.equal(reflect.best_obj, ledger.bestFitness(), 'best_obj is the best fitness reported so far');
  if (reflect.best_branch === 'seed-baseline') {
    assert.equal(reflect.best_obj, ledger.seed);
  } else {
    assert.equal(ledger.evaluated.get(reflect.best_branch), reflect.best_obj,
                 `best_branch ${reflect.best_branch} has the best fitness`);
  }
  const keep = new Set(reflect.keep);
  const eliminate = new Set(reflect.eliminate);
  for (const b of keep) assert.ok(!eliminate.has(b), `${b} both kept and eliminated`);
  assert.ok(keep.size <= topK, `at most top_k_survive=${topK} survive, got ${keep.size}`);
  for (const b of keep) assert.ok(ledger.evaluated.has(b), `kept ${b} was evaluated successfully`);
  const population = new Set([...previousKeep, ...items.map((i) => i.branch)]);
  for (const b of population) {
    assert.ok(keep.has(b) || eliminate.has(b), `${b} is neither kept nor eliminated`);
  }
  for (const i of items) {
    if (!ledger.evaluated.has(i.branch)) {
      assert.ok(eliminate.has(i.branch), `${i.branch} (no usable result) is eliminated`);
    }
  }
  const worstKept = Math.max(...[...keep].map((b) => ledger.evaluated.get(b)));
  for (const b of eliminate) {
    if (ledger.evaluated.has(b)) {
      assert.ok(ledger.evaluated.get(b) >= worstKept,
                `eliminated ${b} (${ledger.evaluated.get(b)}) beats a survivor (${worstKept})`);
    }
  }
}

// After select: best-gen-N and best-overall point at the best commit; every eliminated branch
// with a commit is archived under refs/evo/archive/<run>/<branch> and its branch deleted;
// survivors keep their branches.
export function checkRefsAfterSelect(repo, { runId, reflect, ledger, seedCommit }) {
  const bestCommit = reflect.best_branch === 'seed-baseline'
    ? seedCommit
    : ledger.commits.get(reflect.best_branch);
  assert.ok(bestCommit, `the reviewed commit of ${reflect.best_branch} is known`);
  for (const tag of [`best-gen-${reflect.generation}`, 'best-overall']) {
    const id = resolveRef(repo, `refs/tags/${tag}`);
    assert.ok(id, `tag ${tag} exists`);
    assert.equal(objectType(repo, id), 'commit', `${tag} points at a commit`);
    assert.equal(id, bestCommit, `${tag} points at ${reflect.best_branch}`);
  }
  for (const b of reflect.eliminate) {
    const tip = ledger.tips.get(b);
    const ref = `refs/evo/archive/${runId}/${b}`;
    const id = resolveRef(repo, ref);
    if (!tip) {
      assert.equal(id, null, `${b} was never committed, so nothing is archived`);
      continue;
    }
    assert.ok(id, `${ref} exists`);
    assert.equal(objectType(repo, id), 'commit', `${ref} points at a commit`);
    assert.equal(id, tip, `${ref} keeps the branch's last commit`);
    assert.equal(branchExists(repo, b), false, `eliminated branch ${b} was deleted`);
  }
  for (const b of reflect.keep) {
    assert.ok(branchExists(repo, b), `surviving branch ${b} still exists`);
  }
}
