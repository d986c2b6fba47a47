import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UserProfile } from '@douyin/contracts';
import { userExists } from './user-exists.js';

const profile = (id: number): UserProfile => ({ id, name: `u${id}`, signature: '', createdAt: 0 });

test('existence checks of one turn share one byIds call; unknown ids are false; a failing user service propagates', async () => {
  const calls: number[][] = [];
  let down = false;
  const exists = userExists({
    byIds: {
      query: async ({ userIds }: { userIds: number[] }) => {
        calls.push(userIds);
        if (down) throw new Error('user service unavailable');
        return userIds.filter((id) => id <= 10).map(profile);
      },
    },
  });
  assert.deepEqual(await Promise.all([exists(1), exists(2), exists(11), exists(1)]), [true, true, false, true]);
  assert.deepEqual(calls, [[1, 2, 11]]);
  down = true;
  await assert.rejects(exists(3), /user service unavailable/);
});

test('an account confirmed is not asked about again for a minute; one not found is asked every time', async () => {
  let clock = 0;
  const calls: number[][] = [];
  const accounts = new Set([1]);
  const exists = userExists(
    {
      byIds: {
        query: async ({ userIds }: { userIds: number[] }) => {
          calls.push(userIds);
          return userIds.filter((id) => accounts.has(id)).map(profile);
        },
      },
    },
    { now: () => clock },
  );
  assert.equal(await exists(1), true);
  assert.equal(await exists(2), false);
  accounts.clear();
  clock = 59_999;
  assert.equal(await exists(1), true, 'still confirmed');
  assert.equal(await exists(2), false);
  clock = 60_000;
  assert.equal(await exists(1), false, 'asked again after a minute: the account is gone');
  assert.deepEqual(calls, [[1], [2], [2], [1]]);
});
