import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localClient, meshErrorData, runInScope } from '@douyin/mesh';
import { echoRouter } from '../test/echo-service.js';

test('localClient runs procedures in this process with the mesh client type, scope and typed errors', async () => {
  const state = { mutations: 0 };
  const echo = localClient('echo', echoRouter('local', state), 1_000);
  assert.equal(await echo.whoami.query(), 'local');
  assert.equal(await echo.bump.mutate(), 1);
  assert.equal(state.mutations, 1);

  const inRequest = await runInScope({ requestId: 'req-7', deadline: Date.now() + 300 }, () => echo.budget.query());
  assert.equal(inRequest.requestId, 'req-7', 'the request scope reaches the procedure');
  assert.ok(inRequest.remainingMs > 0 && inRequest.remainingMs <= 300);
  const outside = await echo.budget.query();
  assert.ok(outside.remainingMs > 300 && outside.remainingMs <= 1_000, 'outside a request the default budget applies');

  await assert.rejects(echo.missing.query(), (err: unknown) => {
    assert.deepEqual([meshErrorData(err)?.code, meshErrorData(err)?.reason, meshErrorData(err)?.service], ['NOT_FOUND', 'user_not_found', 'echo']);
    return true;
  });
  await assert.rejects(echo.boom.query(), (err: unknown) => meshErrorData(err)?.code === 'INTERNAL_SERVER_ERROR' && !/SELECT/.test((err as Error).message));
  // Like a mesh client: what is not a query or mutation is refused, not run as one.
  await assert.rejects((echo.whoami as unknown as { subscribe(): Promise<unknown> }).subscribe(), (err: unknown) => meshErrorData(err)?.code === 'METHOD_NOT_SUPPORTED');
});
