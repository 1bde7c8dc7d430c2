// A throwaway git repository holding a tiny Python project the evolution can really improve:
// model.py's compute_loss(x) has three numeric parameters; benchmark.py (protected by the
// server's default patterns) prints the loss as its last line.
import fs from 'node:fs';
import path from 'node:path';

import { run } from './util.mjs';

export const TARGET = { id: 'loss', file: 'model.py', function: 'compute_loss' };
export const BENCHMARK_CMD = 'python3 benchmark.py';

// The optimum is (1.25, 0.5, 2.0); the seed starts far from it. Every value the scripted worker
// produces is a multiple of 1/8, so every loss is exact in binary floating point.
export const MODEL_PY = `"""A tiny model. The evolution tunes the parameters of compute_loss."""


def compute_loss(x):
    # Parameters the evolution may tune.
    alpha = 3.0
    beta = -2.0
    gamma = 5.0
    return (alpha - 1.25) ** 2 + (beta - 0.5) ** 2 + (gamma - 2.0) ** 2 + 0.0 * x


def unrelated(y):
    return y * 2.0
`;

export const BENCHMARK_PY = `"""Benchmark: prints diagnostics, then the loss alone on the last line."""
import model


def main():
    loss = model.compute_loss(1.0)
    print("evaluating compute_loss(1.0)")
    print(loss)


if __name__ == "__main__":
    main()
`;

export const SEED_LOSS = 1.75 ** 2 + 2.5 ** 2 + 3.0 ** 2;

export function git(repo, args, opts = {}) {
  const r = run('git', ['-C', repo, ...args], opts);
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`git ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  }
  return opts.allowFail ? r : r.stdout.trim();
}

// Creates <parent>/repo with the project committed on main; returns its absolute path.
export function makeProjectRepo(parent) {
  const repo = path.join(parent, 'repo');
  fs.mkdirSync(repo);
  git(repo, ['init', '-q', '-b', 'main']);
  fs.writeFileSync(path.join(repo, 'model.py'), MODEL_PY);
  fs.writeFileSync(path.join(repo, 'benchmark.py'), BENCHMARK_PY);
  fs.writeFileSync(path.join(repo, 'README.md'), 'Integration-test project for evo-engine.\n');
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'seed project']);
  return fs.realpathSync(repo);
}

// Resolves a ref to a commit id, or null when it does not exist.
export function resolveRef(repo, ref) {
  const r = git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFail: true });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function objectType(repo, id) {
  return git(repo, ['cat-file', '-t', id]);
}

export function branchExists(repo, branch) {
  return git(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`],
             { allowFail: true }).status === 0;
}

export function listRefs(repo, prefix) {
  const out = git(repo, ['for-each-ref', '--format=%(refname) %(objectname)', prefix]);
  const refs = new Map();
  for (const line of out.split('\n').filter(Boolean)) {
    const [name, id] = line.split(' ');
    refs.set(name, id);
  }
  return refs;
}
