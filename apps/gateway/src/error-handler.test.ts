import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { apkErrorHandler } from './error-handler.js';

test('a failed request is logged by its route, without the query string that carries passwords and tokens', async (t) => {
  const lines: string[] = [];
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => void lines.push(line) } } });
  t.after(() => app.close());
  app.setErrorHandler(apkErrorHandler);
  app.post('/douyin/user/login/', async () => {
    throw new Error('user service exploded');
  });

  const res = await app.inject({ method: 'POST', url: '/douyin/user/login/?username=alice&password=secret1&token=eyJhbGciOi' });
  assert.equal(res.json().status_code, 50001);
  assert.equal(lines.length, 1, lines.join(''));
  const logged = JSON.parse(lines[0]!) as { msg: string; route: string; err: { message: string } };
  assert.deepEqual([logged.msg, logged.route, logged.err.message], ['request failed', '/douyin/user/login/', 'user service exploded']);
  assert.doesNotMatch(lines[0]!, /alice|secret1|eyJhbGciOi/);
});
