// A scripted, deterministic stand-in for an LLM worker. It rewrites the numeric parameters of
// the target function (mutate: one parameter; crossover: mix the parents' parameters;
// structural: nudge every parameter), commits on the planned branch, and benchmarks the branch
// in a git worktree. Its choices depend only on (seed, branch name, parent contents), so the same
// run replayed gives the same variants.
import fs from 'node:fs';
import path from 'node:path';

import { git } from './project.mjs';
import { Rng, run } from './util.mjs';

const PARAM_RE = /^(\s+)([A-Za-z_]\w*) = (-?\d+(?:\.\d+)?)\s*$/;

function fmt(v) {
  return v.toFixed(4);
}

// The line range [start, end) of a top-level or nested `def name(` block.
export function functionBlock(lines, fn) {
  const defRe = new RegExp(`^(\\s*)def ${fn}\\(`);
  const start = lines.findIndex((l) => defRe.test(l));
  if (start < 0) throw new Error(`function ${fn} not found`);
  const indent = lines[start].match(defRe)[1].length;
  let end = start + 1;
  while (end < lines.length) {
    const l = lines[end];
    if (l.trim() !== '' && l.length - l.trimStart().length <= indent) break;
    end++;
  }
  return [start, end];
}

export function readParams(source, fn) {
  const lines = source.split('\n');
  const [start, end] = functionBlock(lines, fn);
  const params = [];
  for (let i = start + 1; i < end; i++) {
    const m = lines[i].match(PARAM_RE);
    if (m) params.push({ line: i, indent: m[1], name: m[2], value: Number(m[3]) });
  }
  if (params.length === 0) throw new Error(`no numeric parameters in ${fn}`);
  return params;
}

export function writeParams(source, fn, values) {
  const lines = source.split('\n');
  const params = readParams(source, fn);
  params.forEach((p, i) => {
    lines[p.line] = `${p.indent}${p.name} = ${fmt(values[i])}`;
  });
  return lines.join('\n');
}

export class Worker {
  constructor(repo, { seed = 1, workDir } = {}) {
    this.repo = repo;
    this.seed = seed;
    this.workDir = workDir ?? path.join(path.dirname(repo), 'worktrees');
    fs.mkdirSync(this.workDir, { recursive: true });
    this.counter = 0;
    this.produced = new Set();  // every target-file content this worker committed
  }

  showRaw(ref, file) {
    const r = run('git', ['-C', this.repo, 'show', `${ref}:${file}`]);
    if (r.status !== 0) throw new Error(`git show ${ref}:${file}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  // The new content of the target file for `item`, per its operation.
  variant(item, parentSource, rng) {
    const fn = item.target_function;
    const base = readParams(parentSource, fn).map((p) => p.value);
    let values = base.slice();
    const steps = [0.125, 0.25, 0.375, 0.5, 0.75, 1.0];
    if (item.operation === 'crossover' && item.parent_branches.length >= 2) {
      const other = readParams(this.showRaw(item.parent_branches[1], item.target_file), fn)
        .map((p) => p.value);
      values = base.map((v, i) => (rng.next() < 0.5 ? v : other[i]));
    } else if (item.operation === 'structural') {
      values = base.map((v) => v + (rng.next() < 0.5 ? -0.125 : 0.125));
    } else {
      const i = rng.below(values.length);
      values[i] += (rng.next() < 0.5 ? -1 : 1) * rng.pick(steps);
    }
    let content = writeParams(parentSource, fn, values);
    // Like a worker that reads the run's memory: never re-submit a variant already tried (nor
    // the parent itself). Only the scripted cache-hit scenario copies a variant on purpose.
    while (content === parentSource || this.produced.has(content)) {
      const i = rng.below(values.length);
      values[i] += (rng.next() < 0.5 ? -1 : 1) * rng.pick(steps);
      content = writeParams(parentSource, fn, values);
    }
    return content;
  }

  tempPath(tag) {
    this.counter += 1;
    return path.join(this.workDir, `${tag}-${process.pid}-${this.counter}`);
  }

  // Writes `files` ({path: content}) on `branch` in a worktree and commits; creates the branch
  // from `from` when given (git checkout -b <branch> <from>). Returns the new commit id.
  commitFiles(branch, files, { from, message }) {
    const wt = this.tempPath('edit');
    if (from) git(this.repo, ['worktree', 'add', '-q', '-b', branch, wt, from]);
    else git(this.repo, ['worktree', 'add', '-q', wt, branch]);
    try {
      for (const [rel, content] of Object.entries(files)) {
        fs.writeFileSync(path.join(wt, rel), content);
      }
      git(wt, ['add', '-A']);
      git(wt, ['commit', '-q', '-m', message]);
      return git(wt, ['rev-parse', 'HEAD']);
    } finally {
      git(this.repo, ['worktree', 'remove', '--force', wt]);
    }
  }

  // Codes one batch item and commits it on item.branch. `edit` selects a scenario:
  //   {}                      the operation's normal rewrite
  //   {copyFrom: branch}      byte-identical target file to an already evaluated branch
  //   {touchProtected: true}  also edits benchmark.py (a hard policy violation)
  //   {syntaxError: true}     a variant that breaks the benchmark
  code(item, edit = {}) {
    const parent = item.parent_branches[0];
    const file = item.target_file;
    const parentSource = this.showRaw(parent, file);
    const rng = new Rng(`${this.seed}/${item.branch}`);
    let content;
    if (edit.copyFrom) {
      content = this.showRaw(edit.copyFrom, file);
    } else {
      content = this.variant(item, parentSource, rng);
    }
    if (edit.syntaxError) {
      content = content.replace(/^(\s+alpha = .*)$/m, '$1 +');
    }
    const files = { [file]: content };
    if (edit.touchProtected) {
      files['benchmark.py'] = this.showRaw(parent, 'benchmark.py') +
        '\n# the worker made the benchmark easier\n';
    }
    this.produced.add(content);
    const commit = this.commitFiles(item.branch, files, {
      from: parent,
      message: `${item.operation} ${item.target_id} (${item.branch})`,
    });
    return { commit, content };
  }

  // A second commit on an existing branch (after review): nudges one parameter.
  recommit(item) {
    const file = item.target_file;
    const source = this.showRaw(item.branch, file);
    const values = readParams(source, item.target_function).map((p) => p.value);
    let content = source;
    while (content === source || this.produced.has(content)) {
      values[values.length - 1] += 0.125;
      content = writeParams(source, item.target_function, values);
    }
    this.produced.add(content);
    const commit = this.commitFiles(item.branch, { [file]: content },
                                    { message: `follow-up on ${item.branch}` });
    return { commit, content };
  }

  // Runs benchmark_cmd in a detached worktree of `ref`. The last output line holds one number
  // per objective.
  benchmark(ref, cmd) {
    const wt = this.tempPath('bench');
    git(this.repo, ['worktree', 'add', '-q', '--detach', wt, ref]);
    try {
      const r = run('sh', ['-c', cmd], { cwd: wt, timeout: 60000 });
      const lines = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
      const last = lines.length ? lines[lines.length - 1] : '';
      const values = last.split(/\s+/).map(Number);
      const ok = r.status === 0 && last !== '' && values.every(Number.isFinite);
      const errLines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
      return {
        success: ok,
        values: ok ? values : null,
        rawOutput: (r.stdout + r.stderr).slice(-2000),
        reason: ok ? '' : `exit ${r.status}: ${errLines[errLines.length - 1] ?? 'no output'}`,
      };
    } finally {
      git(this.repo, ['worktree', 'remove', '--force', wt]);
    }
  }
}
