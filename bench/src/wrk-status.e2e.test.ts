import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT } from './processes.js';
import { runWrk } from './wrk.js';

test('a deploy/wrk script counts every answer but the APK\'s HTTP 200 as failed, redirects and empty answers too', async (t) => {
  const statuses = [301, 204, 500];
  let next = 0;
  const server = createServer((_req, res) => {
    const status = statuses[next++ % statuses.length]!;
    res.writeHead(status, status === 301 ? { location: '/douyin/feed/' } : {}).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const result = await runWrk({ url: `http://127.0.0.1:${port}`, script: join(REPO_ROOT, 'deploy', 'wrk', 'feed.lua'), connections: 2, threads: 1, durationSec: 1 });
  assert.ok(result.requests > 0);
  assert.equal(result.errors, result.requests, JSON.stringify(result));
});
