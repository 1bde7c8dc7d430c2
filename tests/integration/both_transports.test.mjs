// `serve --stdio --http` runs both transports over one engine: a 2025-11-25 stdio client and
// an SDK client over HTTP see each other's writes; over stdio a 2026-07-28 client is answered
// statelessly on the same process, before and after a handshake; stdin EOF ends both.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { BENCHMARK_CMD, makeProjectRepo } from './lib/project.mjs';
import { RawServer } from './lib/raw_server.mjs';
import { makeTempDir, removeTempDir, sleep } from './lib/util.mjs';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28',
               'io.modelcontextprotocol/clientCapabilities': {} };

describe('stdio and HTTP over one engine', () => {
  let tmp;
  let repo;
  let srv;
  let url;

  before(async () => {
    tmp = makeTempDir('evo-both-');
    repo = makeProjectRepo(tmp);
    srv = new RawServer({ dataDir: path.join(tmp, 'data'), logLevel: 'info',
                          extraArgs: ['--http', '127.0.0.1:0'] });
    srv.spawn();
    for (let i = 0; i < 100 && !url; i++) {
      url = srv.stderr.match(/http:\/\/127\.0\.0\.1:\d+\/mcp/)?.[0];
      if (!url) await sleep(100);
    }
    assert.ok(url, `no HTTP listen line:\n${srv.stderr}`);
  });

  after(async () => {
    try {
      if (srv) {
        const exit = await srv.stop();
        assert.equal(exit.code, 0, `stdin EOF ends both transports: ${JSON.stringify(exit)}`);
        assert.deepEqual(srv.problems, [], 'stdout carries protocol messages only');
      }
    } finally {
      removeTempDir(tmp);
    }
  });

  test('2026-07-28 over stdio before any handshake: discover and evo_get_status', async () => {
    const discover = await srv.request('server/discover', { _meta: META }).reply;
    assert.equal(discover.result.resultType, 'complete');
    assert.equal(discover.result.supportedVersions[0], '2026-07-28');
    const status = await srv.request('tools/call',
                                     { name: 'evo_get_status', arguments: {}, _meta: META }).reply;
    assert.equal(status.result.resultType, 'complete');
    assert.equal(status.result.isError, true, 'no run yet: a domain error the model can read');
    const bad = await srv.request('tools/list', {
      _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } }).reply;
    assert.equal(bad.error.code, -32022);
  });

  test('a stdio session and an HTTP session share the engine', async () => {
    const init = await srv.request('initialize', {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'stdio', version: '1' },
    }).reply;
    assert.equal(init.result.protocolVersion, '2025-11-25');
    srv.notify('notifications/initialized');
    const created = await srv.callTool('evo_init', { repo_path: repo, benchmark_cmd: BENCHMARK_CMD })
      .reply;
    assert.notEqual(created.result.isError, true, JSON.stringify(created.result));
    const runId = created.result.structuredContent.run_id;

    const http = new Client({ name: 'http', version: '1' }, { capabilities: {} });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await http.connect(transport);
    const seen = await http.callTool({ name: 'evo_get_status', arguments: {} });
    assert.equal(seen.structuredContent.run_id, runId, 'HTTP sees the run stdio created');
    const runs = await http.callTool({ name: 'evo_list_runs', arguments: {} });
    assert.equal(runs.structuredContent.count, 1);
    await transport.terminateSession();
    await http.close();

    // Still a stateless answer on the initialized stdio session.
    const modern = await srv.request('tools/call',
                                     { name: 'evo_get_status', arguments: {}, _meta: META }).reply;
    assert.equal(modern.result.structuredContent.run_id, runId);
    assert.equal(modern.result.resultType, 'complete');
  });
});
