// Prompts, resources, subscriptions and completion through the official SDK client, over a real
// evolution; and the memory files the server leaves in the repository.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

import { initArgs, Ledger, processItem, selectAndReflect,
         standardScenario } from './lib/driver.mjs';
import { BENCHMARK_CMD, git, makeProjectRepo, TARGET } from './lib/project.mjs';
import { startSdkServer } from './lib/sdk_server.mjs';
import { makeTempDir, removeTempDir, sleep } from './lib/util.mjs';
import { Worker } from './lib/worker.mjs';

const PROMPTS = {
  evo_protocol: {},
  orchestrator: { repo_path: '/abs/repo', benchmark_cmd: 'python3 bench.py' },
  map_agent: { repo_path: '/abs/repo' },
  worker: { item: '{"branch":"gen-0/loss/mutate-0"}' },
  policy_agent: { check_policy: '{"action":"check_policy"}' },
  reflect_agent: { selection: '{"action":"reflect"}' },
};

async function rpcError(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected a JSON-RPC error');
}

function lines(text) {
  return text.split('\n').filter((l) => l.length > 0);
}

describe('prompts, resources and completion through the official SDK client', () => {
  let tmp;
  let repo;
  let server;
  let worker;
  let runId;
  const ledger = new Ledger();
  const updated = [];
  const call = (name, args) => server.call(name, args);
  const readText = async (uri) => (await server.client.readResource({ uri })).contents[0].text;

  before(async () => {
    tmp = makeTempDir('evo-content-');
    repo = makeProjectRepo(tmp);
    worker = new Worker(repo, { seed: 5 });
    server = await startSdkServer({ dataDir: path.join(tmp, 'data') });
    server.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
  });

  after(async () => {
    try {
      if (server) {
        const exit = await server.close();
        assert.equal(exit.code, 0, `exit 0 on EOF\n${server.stderr()}`);
      }
    } finally {
      removeTempDir(tmp);
    }
  });

  test('capabilities: prompts, resources with subscribe, completions', () => {
    const caps = server.client.getServerCapabilities();
    assert.ok(caps.prompts, 'prompts');
    assert.equal(caps.resources?.subscribe, true, 'resources.subscribe');
    assert.ok(caps.completions, 'completions');
  });

  test('prompts/list and prompts/get serve every agent file with its arguments', async () => {
    const { prompts } = await server.client.listPrompts();
    const names = prompts.map((p) => p.name).sort();
    assert.deepEqual(names, Object.keys(PROMPTS).sort());
    for (const p of prompts) {
      assert.ok(p.description && p.description.length > 20, `${p.name} has a description`);
    }
    const workerPrompt = prompts.find((p) => p.name === 'worker');
    assert.deepEqual(workerPrompt.arguments.map((a) => [a.name, a.required]),
                     [['item', true], ['branch', false]]);
    const reflect = prompts.find((p) => p.name === 'reflect_agent');
    assert.deepEqual(reflect.arguments.map((a) => [a.name, a.required]),
                     [['selection', true], ['target_id', false]]);
    const policy = prompts.find((p) => p.name === 'policy_agent');
    assert.deepEqual(policy.arguments.map((a) => [a.name, a.required]),
                     [['check_policy', true], ['branch', false]]);
    for (const [name, args] of Object.entries(PROMPTS)) {
      const got = await server.client.getPrompt({ name, arguments: args });
      assert.equal(got.messages.length, 1);
      assert.equal(got.messages[0].role, 'user');
      const text = got.messages[0].content.text;
      assert.equal(got.messages[0].content.type, 'text');
      assert.ok(!text.includes('{{'), `${name}: every placeholder is substituted`);
      const used = { orchestrator: 'repo_path', map_agent: 'repo_path', worker: 'item',
                     policy_agent: 'check_policy', reflect_agent: 'selection' }[name];
      if (used) assert.ok(text.includes(`\`${args[used]}\``), `${name}: ${used} is substituted`);
    }
    const item = PROMPTS.worker.item;
    const w = await server.client.getPrompt({ name: 'worker', arguments: { item } });
    assert.ok(w.messages[0].content.text.includes(`Your item: \`${item}\``));
    // An optional argument without a value renders empty; with one, it is substituted.
    assert.ok(w.messages[0].content.text.includes('Branch:  (when nothing is written'));
    const wb = await server.client.getPrompt({
      name: 'worker', arguments: { item, branch: 'gen-0/loss/mutate-0' } });
    assert.ok(wb.messages[0].content.text.includes('Branch: gen-0/loss/mutate-0 (when'));
    const r = await server.client.getPrompt({
      name: 'reflect_agent', arguments: { selection: '{}', target_id: 'loss' } });
    assert.ok(r.messages[0].content.text.includes('Target to reflect on: loss ('));
  });

  test('prompts/get errors: unknown name and missing required argument are -32602', async () => {
    let e = await rpcError(server.client.getPrompt({ name: 'no_such_prompt' }));
    assert.equal(e.code, -32602);
    e = await rpcError(server.client.getPrompt({ name: 'worker', arguments: {} }));
    assert.equal(e.code, -32602);
    assert.match(e.message, /item/);
    e = await rpcError(server.client.getPrompt({ name: 'worker',
                                                 arguments: { item: 'x', bogus: 'y' } }));
    assert.equal(e.code, -32602);
  });

  test('a run: completion of prompt arguments, run ids, branches and targets', async () => {
    const init = await server.ok('evo_init', initArgs(repo, {
      directions: ['prefer closed forms'], max_generations: 3,
    }));
    runId = init.run_id;
    await server.ok('evo_register_targets', { targets: [TARGET] });
    const bench = worker.benchmark('seed-baseline', BENCHMARK_CMD);
    await server.ok('evo_report_seed', { fitness_values: bench.values });
    ledger.seed = bench.values[0];
    const dispatch = await server.ok('evo_step', { phase: 'begin_generation' });
    ledger.dispatches.push(dispatch);

    // The worker's `item` completes to the planned items, as JSON.
    let c = await server.client.complete({ ref: { type: 'ref/prompt', name: 'worker' },
                                           argument: { name: 'item', value: '' } });
    const items = c.completion.values.map((v) => JSON.parse(v));
    assert.deepEqual(items.map((i) => i.branch).sort(),
                     dispatch.items.map((i) => i.branch).sort());
    // The worker's `branch` completes to the planned branches, the reflect agent's
    // `target_id` to the run's targets.
    c = await server.client.complete({ ref: { type: 'ref/prompt', name: 'worker' },
                                       argument: { name: 'branch', value: 'gen-0/' } });
    assert.deepEqual(c.completion.values.sort(), dispatch.items.map((i) => i.branch).sort());
    const oneBranch = dispatch.items[0].branch;
    c = await server.client.complete({ ref: { type: 'ref/prompt', name: 'worker' },
                                       argument: { name: 'branch', value: oneBranch } });
    assert.deepEqual(c.completion.values, [oneBranch]);
    c = await server.client.complete({ ref: { type: 'ref/prompt', name: 'reflect_agent' },
                                       argument: { name: 'target_id',
                                                   value: TARGET.id.slice(0, 1) } });
    assert.deepEqual(c.completion.values, [TARGET.id]);
    c = await server.client.complete({ ref: { type: 'ref/prompt', name: 'reflect_agent' },
                                       argument: { name: 'target_id', value: 'zz-no-such' } });
    assert.deepEqual(c.completion.values, []);
    // Nothing is waiting for review yet: the policy agent's `branch` has no candidates.
    c = await server.client.complete({ ref: { type: 'ref/prompt', name: 'policy_agent' },
                                       argument: { name: 'branch', value: '' } });
    assert.deepEqual(c.completion.values, []);
    c = await server.client.complete({ ref: { type: 'ref/prompt', name: 'map_agent' },
                                       argument: { name: 'repo_path', value: repo.slice(0, 5) } });
    assert.deepEqual(c.completion.values, [repo]);

    const lineage = 'evo://runs/{run}/lineage/{branch}';
    c = await server.client.complete({ ref: { type: 'ref/resource', uri: lineage },
                                       argument: { name: 'run', value: 'run-' } });
    assert.ok(c.completion.values.includes(runId));
    // A branch completes percent-encoded, as the URI needs it; the partial value may be typed
    // either way, and matches after decoding.
    const encoded = dispatch.items.map((i) => encodeURIComponent(i.branch)).sort();
    assert.ok(encoded.every((b) => b.startsWith('gen-0%2F')));
    for (const value of ['gen-0/', 'gen-0%2F', 'gen-0%2f', 'gen-0%2']) {
      c = await server.client.complete({ ref: { type: 'ref/resource', uri: lineage },
                                         argument: { name: 'branch', value },
                                         context: { arguments: { run: runId } } });
      assert.deepEqual(c.completion.values.sort(), encoded, `partial ${value}`);
      assert.ok(c.completion.values.length <= 100);
    }
    c = await server.client.complete({ ref: { type: 'ref/resource', uri: lineage },
                                       argument: { name: 'branch', value: encoded[0] },
                                       context: { arguments: { run: encodeURIComponent(runId) } } });
    assert.deepEqual(c.completion.values, [encoded[0]]);
    c = await server.client.complete({ ref: { type: 'ref/resource', uri: lineage },
                                       argument: { name: 'branch', value: 'seed' },
                                       context: { arguments: { run: runId } } });
    assert.deepEqual(c.completion.values, ['seed-baseline']);
    c = await server.client.complete({
      ref: { type: 'ref/resource', uri: 'evo://runs/{run}/targets/{target}' },
      argument: { name: 'target', value: '' }, context: { arguments: { run: runId } } });
    assert.deepEqual(c.completion.values, [TARGET.id]);
    const e = await rpcError(server.client.complete({
      ref: { type: 'ref/resource', uri: 'evo://nope/{x}' }, argument: { name: 'x', value: '' } }));
    assert.equal(e.code, -32602);
  });

  test('resources/subscribe: committed events notify the status, results.tsv and lineages', async () => {
    const status = `evo://runs/${runId}/status`;
    const results = `evo://runs/${runId}/results.tsv`;
    const failures = `evo://runs/${runId}/memory/targets/${TARGET.id}/failures.md`;
    const dispatch = ledger.dispatches[0];
    const lineage = (b) => `evo://runs/${runId}/lineage/${encodeURIComponent(b)}`;
    const first = lineage(dispatch.items[0].branch);
    // Lower-case escapes name the same resource.
    const later = lineage(dispatch.items[2].branch).replace(/%2F/g, '%2f');
    for (const uri of [status, results, failures, first, later]) {
      await server.client.subscribeResource({ uri });
    }
    const e = await rpcError(server.client.subscribeResource({ uri: 'evo://elsewhere' }));
    assert.equal(e.code, -32002);
    await processItem(call, worker, ledger, dispatch.items[0]);
    await processItem(call, worker, ledger, dispatch.items[1], { edit: { touchProtected: true } });
    await sleep(200);
    assert.ok(updated.includes(status), 'status updated');
    assert.ok(updated.includes(results), 'results.tsv updated');
    assert.ok(updated.includes(failures), 'failures.md updated (a server rejection)');
    assert.ok(updated.includes(first), 'the lineage of a reported branch updated');
    assert.ok(!updated.includes(later), 'the lineage of an untouched branch not updated');
    await server.client.unsubscribeResource({ uri: status });
    updated.length = 0;
    for (const item of dispatch.items.slice(2)) await processItem(call, worker, ledger, item);
    await selectAndReflect(call, ledger);
    await sleep(200);
    assert.ok(!updated.includes(status), 'no update after unsubscribe');
    assert.ok(updated.includes(results));
    assert.ok(updated.includes(later), 'the lineage of a branch reported later updated');
  });

  test('the run to its end, then the memory files hold the right rows', async () => {
    // Generation 0 ran above; the later ones get every kind of outcome (a cache hit, a server
    // rejection, a failed benchmark, an agent rejection).
    let d = ledger.dispatches[ledger.dispatches.length - 1];
    while (!ledger.done) {
      for (const [idx, item] of d.items.entries()) {
        await processItem(call, worker, ledger, item,
                          standardScenario(d.generation - 1, idx, d.items));
      }
      const { next } = await selectAndReflect(call, ledger);
      d = next;
    }
    assert.ok(ledger.done, 'the run finished');
    const statusNow = await server.ok('evo_get_status', {});
    const mem = path.join(repo, 'memory');

    // results.tsv: a header and one row per evaluation, each with every column.
    const rows = lines(fs.readFileSync(path.join(mem, 'results.tsv'), 'utf8'));
    assert.equal(rows[0], 'generation\tbranch\tcommit\ttarget\toperation\tstatus\tloss\tnote');
    assert.equal(rows.length - 1, ledger.expectedTotalEvals());
    const byBranch = new Map(rows.slice(1).map((r) => [r.split('\t')[1], r.split('\t')]));
    assert.deepEqual(byBranch.get('seed-baseline').slice(0, 6),
                     ['-1', 'seed-baseline', byBranch.get('seed-baseline')[2], '-', 'seed',
                      'evaluated']);
    for (const [branch, fitness] of ledger.evaluated) {
      const row = byBranch.get(branch);
      assert.ok(row, `row for ${branch}`);
      assert.equal(row[5], 'evaluated');
      assert.equal(Number(row[6]), fitness);
      assert.equal(row[2], ledger.commits.get(branch), 'the reviewed commit');
      assert.equal(row[3], TARGET.id);
    }
    for (const branch of ledger.failed.keys()) assert.equal(byBranch.get(branch)[5], 'failed');
    for (const [branch, hit] of ledger.cached) {
      assert.equal(byBranch.get(branch)[5], 'cached');
      assert.match(byBranch.get(branch)[7], new RegExp(`cache hit of ${hit.of}`));
    }

    // failures.md: a line per rejection and failed evaluation.
    const failures = fs.readFileSync(path.join(mem, 'targets', TARGET.id, 'failures.md'), 'utf8');
    const failureLines = lines(failures).filter((l) => l.startsWith('- gen '));
    assert.equal(failureLines.length, ledger.rejected.size + ledger.failed.size);
    for (const [branch, r] of ledger.rejected) {
      const line = failureLines.find((l) => l.includes(` ${branch} `));
      assert.ok(line, `failure line for ${branch}`);
      assert.match(line, r.by === 'server' ? /rejected by the server: .*protected_path/
                                           : /rejected by the policy agent: .*\(policy_fail\)$/);
    }
    for (const branch of ledger.failed.keys()) {
      assert.match(failureLines.find((l) => l.includes(` ${branch} `)), /\(benchmark_failed\)$/);
    }

    // A generation table per selected generation; the templates with the user's directions.
    for (const reflect of ledger.reflects) {
      const table = fs.readFileSync(path.join(mem, 'targets', TARGET.id, 'short_term',
                                              `gen_${reflect.generation}.md`), 'utf8');
      for (const b of reflect.keep) assert.ok(table.includes(`| ${b} |`), `${b} in the table`);
      assert.match(table, /kept/);
    }
    assert.match(fs.readFileSync(path.join(mem, 'global', 'long_term.md'), 'utf8'),
                 /- prefer closed forms/);
    assert.ok(fs.existsSync(path.join(mem, 'synergy', 'records.md')));
    assert.ok(fs.existsSync(path.join(mem, 'targets', TARGET.id, 'long_term.md')));

    // Never in git: excluded once, invisible to git status and to the variant branches.
    const exclude = fs.readFileSync(path.join(repo, '.git', 'info', 'exclude'), 'utf8');
    assert.equal(lines(exclude).filter((l) => l === '/memory/').length, 1);
    assert.equal(git(repo, ['status', '--porcelain', '--untracked-files=all']), '');
    assert.equal(git(repo, ['log', '--all', '--format=%H', '--', 'memory']), '');
    assert.equal(statusNow.total_evals, ledger.expectedTotalEvals());
  });

  test('resources/list and resources/read: every listed resource reads', async () => {
    const listed = [];
    let cursor;
    do {
      const page = await server.client.listResources(cursor ? { cursor } : {});
      listed.push(...page.resources);
      cursor = page.nextCursor;
    } while (cursor);
    const uris = listed.map((r) => r.uri);
    const base = `evo://runs/${runId}`;
    for (const u of ['evo://runs', `${base}/status`, `${base}/results.tsv`, `${base}/memory`,
                     `${base}/journal.ndjson`, `${base}/journal/manifest.json`,
                     `${base}/targets/${TARGET.id}`,
                     `${base}/memory/global/long_term.md`, `${base}/memory/synergy/records.md`,
                     `${base}/memory/targets/${TARGET.id}/long_term.md`,
                     `${base}/memory/targets/${TARGET.id}/failures.md`,
                     `${base}/memory/targets/${TARGET.id}/short_term/gen_0.md`]) {
      assert.ok(uris.includes(u), `${u} is listed`);
    }
    for (const r of listed) {
      assert.equal(typeof r.name, 'string');
      const read = await server.client.readResource({ uri: r.uri });
      assert.equal(read.contents.length, 1, r.uri);
      assert.equal(read.contents[0].uri, r.uri);
      assert.equal(typeof read.contents[0].text, 'string');
      assert.equal(read.contents[0].mimeType, r.mimeType);
      if (r.mimeType === 'application/json') JSON.parse(read.contents[0].text);
    }
    // The resource and the file agree.
    const tsv = await server.client.readResource({ uri: `${base}/results.tsv` });
    assert.equal(tsv.contents[0].text,
                 fs.readFileSync(path.join(repo, 'memory', 'results.tsv'), 'utf8'));
    const status = JSON.parse(await readText(`${base}/status`));
    assert.equal(status.total_evals, ledger.expectedTotalEvals());
    const runs = JSON.parse(await readText('evo://runs'));
    assert.equal(runs.runs.find((r) => r.run_id === runId).resources.status, `${base}/status`);
  });

  test('resources/templates/list, lineage by encoded branch, not found is -32002', async () => {
    const { resourceTemplates } = await server.client.listResourceTemplates();
    const templates = resourceTemplates.map((t) => t.uriTemplate);
    for (const t of ['evo://runs/{run}/status', 'evo://runs/{run}/lineage/{branch}',
                     'evo://runs/{run}/results.tsv', 'evo://runs/{run}/targets/{target}',
                     'evo://runs/{run}/memory', 'evo://runs/{run}/memory/targets/{target}/{file}',
                     'evo://runs/{run}/memory/targets/{target}/short_term/{file}',
                     'evo://runs/{run}/journal.ndjson', 'evo://runs/{run}/journal/{seq}.ndjson',
                     'evo://runs/{run}/journal/manifest.json']) {
      assert.ok(templates.includes(t), `template ${t}`);
    }
    for (const t of resourceTemplates) assert.ok(t.name && t.description, t.uriTemplate);
    // The short-term file names of the target in context (decoded first).
    const c = await server.client.complete({
      ref: { type: 'ref/resource', uri: 'evo://runs/{run}/memory/targets/{target}/short_term/{file}' },
      argument: { name: 'file', value: 'gen_' },
      context: { arguments: { run: runId, target: encodeURIComponent(TARGET.id) } } });
    assert.ok(c.completion.values.includes('gen_0.md'), JSON.stringify(c.completion.values));
    const best = ledger.done.best_branch;
    const uri = `evo://runs/${runId}/lineage/${encodeURIComponent(best)}`;
    const lineage = JSON.parse((await server.client.readResource({ uri })).contents[0].text);
    const viaTool = await server.ok('evo_get_lineage', { branch: best });
    assert.deepEqual(lineage, viaTool);
    for (const missing of [`evo://runs/no-such-run/status`,
                           `evo://runs/${runId}/lineage/${encodeURIComponent('gen-99/x/mutate-0')}`,
                           `evo://runs/${runId}/memory/targets/nope/long_term.md`,
                           `evo://runs/${runId}/memory/targets/${TARGET.id}/short_term/gen_999.md`,
                           `evo://runs/${runId}/journal/999999.ndjson`,
                           'evo://nothing/here']) {
      const e = await rpcError(server.client.readResource({ uri: missing }));
      assert.equal(e.code, -32002, `${missing}: ${e.message}`);
    }
  });

  test('the journal: NDJSON, one event per line, sha256 in the manifest', async () => {
    const base = `evo://runs/${runId}`;
    const manifest = JSON.parse((await server.client.readResource(
      { uri: `${base}/journal/manifest.json` })).contents[0].text);
    assert.equal(manifest.run_id, runId);
    assert.equal(manifest.format, 'ndjson');
    const prefix = await readText(manifest.journal_uri);
    assert.equal(crypto.createHash('sha256').update(prefix, 'utf8').digest('hex'), manifest.sha256);
    assert.equal(Buffer.byteLength(prefix, 'utf8'), manifest.bytes);
    const events = lines(prefix).map((l) => JSON.parse(l));
    assert.equal(events.length, manifest.events);
    events.forEach((e, i) => {
      assert.equal(e.seq, i + 1, 'consecutive seqs from 1');
      assert.equal(typeof e.type, 'string');
      assert.equal(typeof e.data, 'object');
    });
    assert.equal(events[0].type, 'run_initialized');
    assert.equal(events[events.length - 1].seq, manifest.last_seq);
    const all = await readText(`${base}/journal.ndjson`);
    assert.ok(all.startsWith(prefix));
    const fitness = events.filter((e) => e.type === 'fitness_reported');
    assert.equal(fitness.length, ledger.evaluated.size + ledger.failed.size);
  });
});
