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
