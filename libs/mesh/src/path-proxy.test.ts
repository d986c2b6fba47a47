import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathProxy } from './path-proxy.js';

test('pathProxy hands the property path and the arguments to onCall, and is never a thenable', async () => {
  const calls: Array<[readonly string[], unknown[]]> = [];
  const proxy = pathProxy((path, args) => {
    calls.push([path, args]);
    return 'answer';
  }) as { user: { byIds: { query(input: unknown): string } }; then?: unknown };
  assert.equal(proxy.user.byIds.query({ ids: [1] }), 'answer');
  assert.deepEqual(calls, [[['user', 'byIds', 'query'], [{ ids: [1] }]]]);
  assert.equal(proxy.then, undefined);
  assert.equal(await Promise.resolve(proxy), proxy, 'awaiting it yields the proxy, not a call');
  assert.equal(calls.length, 1);
});
