// Small shared helpers: the binary under test, temp dirs, child-process bookkeeping, a seeded
// RNG. Every temp dir and child process created through here is torn down at exit even when a
// test throws (set EVO_KEEP_TMP=1 to keep the temp dirs for a post-mortem).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const integrationDir = path.resolve(here, '..');
export const repoRoot = path.resolve(integrationDir, '..', '..');

// The binary under test: $EVO_ENGINE (ctest sets it), else the lead's build.
export function engineBinary() {
  const candidates = [process.env.EVO_ENGINE, path.join(repoRoot, 'build-main', 'evo-engine'),
                      path.join(repoRoot, 'build', 'evo-engine')].filter(Boolean);
  for (const c of candidates) {
    if (fs.existsSync(c)) return c;
  }
  throw new Error(`evo-engine binary not found (tried ${candidates.join(', ')}); ` +
                  'build it or set EVO_ENGINE');
}

// ---- temp dirs ---------------------------------------------------------------------------
const tempDirs = new Set();

export function makeTempDir(prefix = 'evo-integ-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir) {
  tempDirs.delete(dir);
  if (process.env.EVO_KEEP_TMP === '1') {
    process.stderr.write(`[integration] keeping ${dir}\n`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

// ---- child processes ---------------------------------------------------------------------
const children = new Set();

export function trackChild(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function trackPid(pid) {
  const handle = { pid, fake: true };
  children.add(handle);
  return () => children.delete(handle);
}

export function killAll() {
  for (const c of children) {
    try {
      if (c.fake) process.kill(c.pid, 'SIGKILL');
      else if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}

function removeAllTempDirs() {
  if (process.env.EVO_KEEP_TMP === '1') return;
  for (const d of tempDirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}

// A root-level hook of every test file that imports this module: whatever failed, no server
// outlives the file (a live child would also keep the test process from exiting).
after(() => {
  killAll();
  removeAllTempDirs();
});
process.on('exit', () => {
  killAll();
  removeAllTempDirs();
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}

// The environment for every child: isolated from the user's git config, with a fixed identity.
export function childEnv(extra = {}) {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'evo worker',
    GIT_AUTHOR_EMAIL: 'worker@evo.invalid',
    GIT_COMMITTER_NAME: 'evo worker',
    GIT_COMMITTER_EMAIL: 'worker@evo.invalid',
    PYTHONDONTWRITEBYTECODE: '1',
    ...extra,
  };
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: childEnv(), timeout: 120000, ...opts });
  if (r.error) throw r.error;
  return r;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- seeded RNG --------------------------------------------------------------------------
export function hashString(s) {
  // FNV-1a, 32 bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Rng {
  constructor(seed) {
    this.state = (typeof seed === 'string' ? hashString(seed) : seed >>> 0) || 0x9e3779b9;
  }

  // mulberry32
  next() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  below(n) {
    return Math.floor(this.next() * n);
  }

  pick(arr) {
    return arr[this.below(arr.length)];
  }
}
