// Server-side policy through the real binary: a git repository with every kind of violation a
// variant could try, each refused by the server at code_ready with its rule named, without any
// agent; flags go to review; a clean variant passes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { initArgs } from './lib/driver.mjs';
import { git, makeProjectRepo, MODEL_PY, TARGET } from './lib/project.mjs';
import { startSdkServer } from './lib/sdk_server.mjs';
import { makeTempDir, removeTempDir } from './lib/util.mjs';

const TEST_PY = 'def test_loss():\n    assert True\n';

// Each case edits a fresh branch made from the item's parent; `rule` must be among the server's
// violations. `flag` cases are not hard violations: they reach review with the flag raised.
const CASES = [
  { name: 'edit the benchmark', rule: 'protected_path',
    edit: (r) => append(r, 'benchmark.py', 'print(0.0)\n') },
  { name: 'rename a protected file into scope', rule: 'protected_path',
    edit: (r) => { git(r, ['rm', '-q', 'model.py']); git(r, ['mv', 'benchmark.py', 'model.py']); } },
  { name: 'replace the target with a symlink to the benchmark', rule: 'symlink',
    edit: (r) => { fs.rmSync(path.join(r, 'model.py')); fs.symlinkSync('benchmark.py', path.join(r, 'model.py')); } },
  { name: 'change a file mode', rule: 'mode_change',
    edit: (r) => fs.chmodSync(path.join(r, 'model.py'), 0o755) },
  { name: 'add a submodule', rule: 'submodule', staged: true,
    edit: (r) => {
      const head = git(r, ['rev-parse', 'HEAD']);
      git(r, ['update-index', '--add', '--cacheinfo', `160000,${head},vendor`]);
    } },
  { name: 'delete a test', rule: 'test_removed',
    edit: (r) => git(r, ['rm', '-q', 'tests/test_model.py']) },
  { name: 'touch a file out of scope', rule: 'out_of_scope',
    edit: (r) => append(r, 'README.md', 'more words\n') },
  { name: 'commit nothing', rule: 'empty_change', edit: () => {} },
  { name: 'add a test-skip marker', flag: 'test_skip_marker',
    edit: (r) => fs.writeFileSync(path.join(r, 'model.py'),
                                  MODEL_PY.replace('def compute_loss', '@pytest.mark.skip\ndef compute_loss')) },
];

function append(repo, file, text) {
  fs.appendFileSync(path.join(repo, file), text);
}

// Creates the branch from its parent, applies the edit, stages everything and commits.
// `staged` edits stage their own change (a gitlink has no work-tree directory for add -A).
function commitVariant(repo, item, edit, staged = false) {
  git(repo, ['checkout', '-q', '-B', item.branch, item.parent_branches[0]]);
  edit(repo);
  if (!staged) git(repo, ['add', '-A']);
  git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty',
             '-m', `variant ${item.branch}`]);
  const commit = git(repo, ['rev-parse', 'HEAD']);
  git(repo, ['checkout', '-q', 'main']);
  return commit;
}

describe('server-side policy on real repositories', () => {
  let tmp;
  let repo;
  let server;
  let items;

  before(async () => {
    tmp = makeTempDir('evo-policy-');
    repo = makeProjectRepo(tmp);
    fs.mkdirSync(path.join(repo, 'tests'));
    fs.writeFileSync(path.join(repo, 'tests', 'test_model.py'), TEST_PY);
    git(repo, ['add', '-A']);
    git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'tests']);
    server = await startSdkServer({ dataDir: path.join(tmp, 'data'), logLevel: 'error' });
    // Mutations and crossovers only: their scope is exactly model.py.
    await server.ok('evo_init', initArgs(repo, { pop_size: 12, structural_rate: 0, max_fe: 100 }));
    await server.ok('evo_register_targets', { targets: [TARGET] });
    await server.ok('evo_report_seed', { fitness_values: [15.3125] });
    const step = await server.ok('evo_step', { phase: 'begin_generation' });
    items = step.items;
    assert.ok(items.length >= CASES.length + 1, `need ${CASES.length + 1} items, got ${items.length}`);
    for (const item of items) assert.notEqual(item.operation, 'structural');
  });

  after(async () => {
    if (server) await server.close().catch(() => {});
    removeTempDir(tmp);
  });

  CASES.forEach((c, i) => {
    test(`${c.name}: ${c.rule ? `refused (${c.rule})` : `flagged (${c.flag})`}`, async () => {
      const item = items[i];
      const commit = commitVariant(repo, item, c.edit, c.staged);
      const reply = await server.ok('evo_step', { phase: 'code_ready', branch: item.branch });
      if (c.rule) {
        assert.equal(reply.action, 'worker_done', JSON.stringify(reply));
        assert.equal(reply.rejected, true);
        assert.equal(reply.commit, commit);
        const rules = reply.violations.map((v) => v.rule);
        assert.ok(rules.includes(c.rule), `expected ${c.rule} in ${JSON.stringify(reply.violations)}`);
        assert.match(reply.reason, new RegExp(c.rule));
        // The refusal is final for that commit: no approval, no fitness.
        const pass = await server.call('evo_step', { phase: 'policy_pass', branch: item.branch });
        assert.equal(pass.ok, false);
        const fit = await server.call('evo_step', { phase: 'fitness_ready', branch: item.branch,
                                                    fitness: 0.0, success: true });
        assert.equal(fit.ok, false);
        assert.match(fit.text, /rejected/);
        const lineage = await server.ok('evo_get_lineage', { branch: item.branch });
        assert.equal(lineage.lineage[0].state, 'rejected');
        assert.match(lineage.lineage[0].reason, new RegExp(c.rule));
      } else {
        assert.equal(reply.action, 'check_policy', JSON.stringify(reply));
        assert.deepEqual(reply.violations, []);
        assert.ok(reply.flags.some((f) => f.rule === c.flag && f.path === 'model.py'),
                  JSON.stringify(reply.flags));
        // The policy agent rejects it; the server records the agent's reason.
        const fail = await server.ok('evo_step', { phase: 'policy_fail', branch: item.branch,
                                                   reason: 'skips a test' });
        assert.equal(fail.rejected, true);
      }
    });
  });

  test('a clean variant passes review and is benchmarked', async () => {
    const item = items[CASES.length];
    commitVariant(repo, item, (r) => fs.writeFileSync(path.join(r, 'model.py'),
                                                       MODEL_PY.replace('alpha = 3.0', 'alpha = 2.0')));
    const check = await server.ok('evo_step', { phase: 'code_ready', branch: item.branch });
    assert.equal(check.action, 'check_policy');
    assert.deepEqual(check.violations, []);
    assert.deepEqual(check.flags, []);
    assert.deepEqual(check.changed_files, ['model.py']);
    assert.match(check.diff, /-    alpha = 3\.0\n\+    alpha = 2\.0/);
    const run = await server.ok('evo_step', { phase: 'policy_pass', branch: item.branch });
    assert.equal(run.action, 'run_benchmark');
    const done = await server.ok('evo_step', { phase: 'fitness_ready', branch: item.branch,
                                               fitness: 12.5625, success: true });
    assert.equal(done.is_new_best, true);
  });
});
