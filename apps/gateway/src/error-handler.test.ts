import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { meshError } from '@douyin/mesh';
import { apkErrorHandler, toApkStatus } from './error-handler.js';

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

test("a mesh failure is the phone's error only when the service says why: a missing procedure or staged upload is internal", () => {
  const codeOf = (code: TRPC_ERROR_CODE_KEY, reason?: string, status = 404) =>
    toApkStatus(meshError('video', 'publish', { code, message: 'x', reason }, status)).code;
  assert.equal(codeOf('NOT_FOUND', 'user_not_found'), 40401);
  assert.equal(codeOf('NOT_FOUND', 'video_not_found'), 40402);
  // tRPC's own answer for a procedure the callee does not have (two builds during a rolling update).
  assert.equal(codeOf('NOT_FOUND'), 50001);
  assert.equal(codeOf('METHOD_NOT_SUPPORTED', undefined, 405), 50001);
  // Under a code whose own mapping is the phone's error, so that the reason is what maps it.
  assert.equal(codeOf('BAD_REQUEST', 'staged_upload_missing', 400), 50001);
  assert.equal(codeOf('BAD_REQUEST', 'not_a_video', 400), 40005);
});
