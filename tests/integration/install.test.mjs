// `evo-engine install` with the real binary and a temporary HOME: every client's config gets the
// absolute binary path merged in; and the real Claude Code CLI (installed from npm into a
// temporary prefix) registers the server and reports it connected. The CLI test is skipped,
// with the reason, when npm cannot install the package (no registry access) or the CLI does not
// run; in CI (env CI set, not "false"/"0") or with EVO_REQUIRE_CLAUDE_CLI=1 it fails instead.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { childEnv, engineBinary, makeTempDir, removeTempDir, run } from './lib/util.mjs';

// Pinned, so a new CLI release cannot change what this test checks.
const CLAUDE_PACKAGE = '@anthropic-ai/claude-code@2.1.330';

function readJson(p) {
  return JSON.parse(fs.readFileSync(p, 'utf8'));
}

// True where the Claude CLI test must run: in CI, or when asked to.
function claudeCliRequired() {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return (ci !== '' && ci !== 'false' && ci !== '0') || process.env.EVO_REQUIRE_CLAUDE_CLI === '1';
}

function skipOrFail(t, why) {
  if (claudeCliRequired()) {
    assert.fail(`${why} (required: CI or EVO_REQUIRE_CLAUDE_CLI=1 is set)`);
  }
  t.skip(why);
}

describe('evo-engine install', () => {
  let tmp;
  let home;
  let project;
  let binary;

  const env = (extra = {}) => childEnv({
    HOME: home,
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    ...(process.env.NODE_EXTRA_CA_CERTS
        ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    ...extra,
  });
  const evo = (args, extra = {}) => {
    const r = run(binary, args, { env: env(extra), cwd: project });
    assert.equal(r.status, 0, `evo-engine ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  before(() => {
    tmp = makeTempDir('evo-install-');
    home = path.join(tmp, 'home');
    project = path.join(tmp, 'project');
    fs.mkdirSync(home);
    fs.mkdirSync(project);
    binary = fs.realpathSync(engineBinary());
  });

  after(() => removeTempDir(tmp));

  test('cursor and windsurf: the absolute binary, merged into existing configs', () => {
    const cursor = path.join(home, '.cursor', 'mcp.json');
    fs.mkdirSync(path.dirname(cursor), { recursive: true });
    fs.writeFileSync(cursor, JSON.stringify({ mcpServers: { mine: { command: 'mine' } } }));
    const dry = evo(['install', 'cursor', '--dry-run']);
    assert.match(dry, /would set mcpServers\.evo-engine/);
    assert.deepEqual(readJson(cursor), { mcpServers: { mine: { command: 'mine' } } });
    evo(['install', 'cursor']);
    assert.deepEqual(readJson(cursor).mcpServers, {
      mine: { command: 'mine' },
      'evo-engine': { command: binary, args: ['serve', '--stdio'], env: {} },
    });
    evo(['install', 'windsurf', '--http', 'http://127.0.0.1:7777/mcp']);
    const windsurf = readJson(path.join(home, '.codeium', 'windsurf', 'mcp_config.json'));
    assert.deepEqual(windsurf.mcpServers['evo-engine'], { serverUrl: 'http://127.0.0.1:7777/mcp' });
    evo(['install', 'cursor', '--scope', 'project']);  // the project is the current directory
    assert.ok(fs.existsSync(path.join(project, '.cursor', 'rules', 'evo-worker.mdc')));
    evo(['uninstall', 'cursor']);
    assert.deepEqual(readJson(cursor), { mcpServers: { mine: { command: 'mine' } } });
  });

  test('claude: the real CLI registers the server and `claude mcp list` reports it connected',
       { timeout: 600000 }, async (t) => {
    const prefix = path.join(tmp, 'claude-cli');
    // npm runs in the caller's own environment (its registry, proxy and CA settings).
    const npm = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund',
                                  '--loglevel=error', CLAUDE_PACKAGE],
                          { encoding: 'utf8', env: process.env, timeout: 300000 });
    const claude = path.join(prefix, 'node_modules', '.bin', 'claude');
    if (npm.status !== 0 || !fs.existsSync(claude)) {
      const why = npm.error ? npm.error.message
                            : (npm.stderr || npm.stdout).trim().split('\n').slice(-3).join(' | ');
      skipOrFail(t, `cannot install ${CLAUDE_PACKAGE} from npm (no registry access?): ${why}`);
      return;
    }
    const cliEnv = { PATH: `${path.dirname(claude)}:${process.env.PATH}` };
    const version = run(claude, ['--version'], { env: env(cliEnv) });
    if (version.status !== 0) {
      skipOrFail(t, `the Claude Code CLI does not run here: ${version.stderr.trim()}`);
      return;
    }
    // Another server registered first must survive our install and uninstall.
    const other = run(claude, ['mcp', 'add-json', 'other-server',
                               JSON.stringify({ type: 'stdio', command: '/bin/true' }),
                               '--scope', 'user'], { env: env(cliEnv), cwd: project });
    assert.equal(other.status, 0, other.stderr);

    const out = evo(['install', 'claude'], cliEnv);
    assert.match(out, /run .*claude mcp add-json evo-engine/);
    const config = readJson(path.join(home, '.claude.json'));
    assert.deepEqual(config.mcpServers['evo-engine'],
                     { type: 'stdio', command: binary, args: ['serve', '--stdio'], env: {} });
    assert.ok(config.mcpServers['other-server'], 'the other server is still registered');
    assert.ok(fs.existsSync(path.join(home, '.claude', 'agents', 'evo-worker.md')));
    assert.ok(fs.existsSync(path.join(home, '.claude', 'commands', 'evo-orchestrate.md')));
    // Installing again replaces our entry (the CLI refuses duplicates): still one, still ours.
    evo(['install', 'claude'], cliEnv);

    const list = run(claude, ['mcp', 'list'], { env: env(cliEnv), cwd: project, timeout: 120000 });
    assert.equal(list.status, 0, `claude mcp list: ${list.stderr}`);
    const line = list.stdout.split('\n').find((l) => l.startsWith('evo-engine:'));
    assert.ok(line, `evo-engine is listed:\n${list.stdout}`);
    assert.ok(line.includes(binary), line);
    assert.match(line, /Connected/, `connected:\n${list.stdout}`);

    evo(['uninstall', 'claude'], cliEnv);
    const after = run(claude, ['mcp', 'list'], { env: env(cliEnv), cwd: project, timeout: 120000 });
    assert.ok(!after.stdout.includes('evo-engine:'), after.stdout);
    assert.ok(after.stdout.includes('other-server'), after.stdout);
    assert.ok(!fs.existsSync(path.join(home, '.claude', 'agents', 'evo-worker.md')));
  });
});
