import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TRPCError } from '@trpc/server';
import { runInScope } from './call-scope.js';
import { ensureTimeToWrite } from './write-deadline.js';

test('a write is refused with TIMEOUT when the call being served has too little budget left, and only then', () => {
  const within = (ms: number) => () => runInScope({ requestId: 'r', deadline: Date.now() + ms }, () => ensureTimeToWrite());
  assert.throws(within(50), (err: unknown) => err instanceof TRPCError && err.code === 'TIMEOUT');
  assert.throws(within(-1), (err: unknown) => err instanceof TRPCError && err.code === 'TIMEOUT');
  assert.doesNotThrow(within(1_000));
  // A call outside any request (a job, a test calling the router directly) has no deadline to keep.
  assert.doesNotThrow(() => ensureTimeToWrite());
});
