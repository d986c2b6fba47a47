import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { databaseModes, fakeUserLookup, rejectsWith } from '@douyin/testing';
import { callerFor, countsCache, freshSchema } from '../test/harness.js';
import { FOLLOW_PROCEDURE } from './repository.js';
import { createRouter } from './router.js';

const USERS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];

for (const mode of databaseModes()) {
  const setup = async (t: { after(fn: () => unknown): void }) => {
    const db = await freshSchema(t, mode);
    const users = fakeUserLookup(USERS);
    return { db, users, caller: callerFor(createRouter({ db, user: users.user, cache: await countsCache(t) })) };
  };
  const factsOf = async (caller: Awaited<ReturnType<typeof setup>>['caller'], userId: number) => (await caller.facts({ userIds: [userId] }))[0];
  const follows = async (caller: Awaited<ReturnType<typeof setup>>['caller'], userId: number, ids: number[]) =>
    (await caller.followedAmong({ users: [{ userId, ids }] }))[0]?.ids;

  test(`follow and unfollow are idempotent and counts equal the rows (${mode})`, async (t) => {
    const { caller } = await setup(t);
    await caller.follow({ actorId: 1, targetId: 2 });
    await caller.follow({ actorId: 1, targetId: 2 });
    assert.deepEqual(await factsOf(caller, 1), { userId: 1, followCount: 1, followerCount: 0 });
    assert.deepEqual(await factsOf(caller, 2), { userId: 2, followCount: 0, followerCount: 1 });
    assert.deepEqual(await follows(caller, 1, [1, 2]), [2]);
    await caller.unfollow({ actorId: 1, targetId: 2 });
    await caller.unfollow({ actorId: 1, targetId: 2 });
    await caller.unfollow({ actorId: 3, targetId: 2 }); // never followed: succeeds, changes nothing
    assert.deepEqual(await factsOf(caller, 2), { userId: 2, followCount: 0, followerCount: 0 });
    assert.deepEqual(await factsOf(caller, 1), { userId: 1, followCount: 0, followerCount: 0 });
    assert.deepEqual(await follows(caller, 1, [1, 2]), []);
  });

  test(`unknown targets are NOT_FOUND before oneself is BAD_REQUEST/self_action; nothing is written (${mode})`, async (t) => {
    const { caller, db } = await setup(t);
    await assert.rejects(caller.follow({ actorId: 1, targetId: 999 }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.unfollow({ actorId: 1, targetId: 999 }), rejectsWith('NOT_FOUND', 'user_not_found'));
    // Nor an actor nobody has, whoever in the mesh asks.
    await assert.rejects(caller.follow({ actorId: 999, targetId: 2 }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.follow({ actorId: 1, targetId: 1 }), rejectsWith('BAD_REQUEST', 'self_action'));
    await assert.rejects(caller.follow({ actorId: 1, targetId: 0 }), rejectsWith('BAD_REQUEST'));
    await assert.rejects(caller.following({ userId: 999 }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.followers({ userId: 999 }), rejectsWith('NOT_FOUND', 'user_not_found'));
    assert.deepEqual(await db.selectFrom('follows').selectAll().execute(), []);
    assert.deepEqual(await db.selectFrom('follow_counts').selectAll().execute(), []);
  });

  test(`lists are most recent first, at most the limit asked; friends are mutual follows (${mode})`, async (t) => {
    const { caller } = await setup(t);
    for (const targetId of [2, 3, 4]) await caller.follow({ actorId: 1, targetId });
    await caller.follow({ actorId: 3, targetId: 1 });
    await caller.follow({ actorId: 4, targetId: 1 });
    await caller.follow({ actorId: 5, targetId: 1 });
    assert.deepEqual(await caller.following({ userId: 1 }), [4, 3, 2]);
    assert.deepEqual(await caller.followers({ userId: 1 }), [5, 4, 3]);
    assert.deepEqual(await caller.friends({ userId: 1 }), [4, 3]);
    assert.deepEqual(await caller.friends({ userId: 2 }), []);
    // Refollowing makes the relation the most recent one.
    await caller.unfollow({ actorId: 1, targetId: 2 });
    await caller.follow({ actorId: 1, targetId: 2 });
    assert.deepEqual(await caller.following({ userId: 1 }), [2, 4, 3]);
    // A list answers its newest `limit` entries.
    assert.deepEqual(await caller.following({ userId: 1, limit: 2 }), [2, 4]);
    assert.deepEqual(await caller.followers({ userId: 1, limit: 2 }), [5, 4]);
    assert.deepEqual(await caller.friends({ userId: 1, limit: 1 }), [4]);
  });

  test(`facts answer a whole page in one call, zeros for strangers (${mode})`, async (t) => {
    const { caller } = await setup(t);
    await caller.follow({ actorId: 1, targetId: 2 });
    await caller.follow({ actorId: 3, targetId: 2 });
    const facts = await caller.facts({ userIds: [2, 3, 2, 77] });
    assert.deepEqual(facts, [
      { userId: 2, followCount: 0, followerCount: 2 },
      { userId: 3, followCount: 1, followerCount: 0 },
      { userId: 77, followCount: 0, followerCount: 0 },
    ]);
    assert.deepEqual(await caller.facts({ userIds: [] }), []);
  });

  test(`followedAmong answers many viewers at once, each about its own users (${mode})`, async (t) => {
    const { caller } = await setup(t);
    await caller.follow({ actorId: 1, targetId: 2 });
    await caller.follow({ actorId: 1, targetId: 3 });
    await caller.follow({ actorId: 4, targetId: 3 });
    await caller.follow({ actorId: 4, targetId: 5 }); // followed, but 4 asks only about 3 and 77
    const answer = await caller.followedAmong({
      users: [
        { userId: 1, ids: [2, 3, 77] },
        { userId: 4, ids: [3, 77] },
        { userId: 6, ids: [2] },
        { userId: 1, ids: [5] }, // asked twice: one answer for the union
      ],
    });
    const sorted = answer.map(({ userId, ids }) => ({ userId, ids: [...ids].sort((a, b) => a - b) }));
    assert.deepEqual(sorted, [
      { userId: 1, ids: [2, 3] },
      { userId: 4, ids: [3] },
      { userId: 6, ids: [] },
    ]);
    await caller.unfollow({ actorId: 1, targetId: 2 });
    assert.deepEqual(await caller.followedAmong({ users: [{ userId: 1, ids: [2, 3] }, { userId: 7, ids: [] }] }), [
      { userId: 1, ids: [3] },
      { userId: 7, ids: [] },
    ]);
    // Bounded before any read: at most 100 users and 10,000 pairs per call, and at least one user.
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    await assert.rejects(caller.followedAmong({ users: ids(101).map((userId) => ({ userId, ids: [1] })) }), rejectsWith('BAD_REQUEST'));
    await assert.rejects(caller.followedAmong({ users: ids(21).map((userId) => ({ userId, ids: ids(500) })) }), rejectsWith('BAD_REQUEST'));
    await assert.rejects(caller.followedAmong({ users: [] }), rejectsWith('BAD_REQUEST'));
  });

  test(`a concurrent follow/unfollow storm ends with counts equal to the rows (${mode})`, async (t) => {
    const { caller, db } = await setup(t);
    const fans = USERS.filter((id) => id !== 1);
    // Every fan hammers the same star with interleaved follows and unfollows, and the star follows them back.
    const ops = fans.flatMap((fan, i) => [
      caller.follow({ actorId: fan, targetId: 1 }),
      caller.follow({ actorId: fan, targetId: 1 }),
      caller.unfollow({ actorId: fan, targetId: 1 }),
      caller.follow({ actorId: 1, targetId: fan }),
      ...(i % 2 === 0 ? [caller.follow({ actorId: fan, targetId: 1 })] : []),
      caller.unfollow({ actorId: fan, targetId: 1 }),
      caller.follow({ actorId: fan, targetId: 1 }),
    ]);
    await Promise.all(ops);
    const rows = await db.selectFrom('follows').selectAll().execute();
    const counts = await caller.facts({ userIds: USERS });
    for (const { userId, followCount, followerCount } of counts) {
      assert.equal(followCount, rows.filter((r) => r.follower_id === userId).length, `follow_count of ${userId}`);
      assert.equal(followerCount, rows.filter((r) => r.followee_id === userId).length, `follower_count of ${userId}`);
    }
    // The last operation each fan issued was a follow, but concurrency decides the order: only exactness is promised.
    assert.equal(new Set(rows.map((r) => `${r.follower_id}>${r.followee_id}`)).size, rows.length);
    assert.equal(rows.filter((r) => r.follower_id === 1).length, fans.length);
  });

  test(`one pair followed and unfollowed by many concurrent calls stays exact (${mode})`, async (t) => {
    const { caller, db } = await setup(t);
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 3 === 2 ? caller.unfollow({ actorId: 2, targetId: 3 }) : caller.follow({ actorId: 2, targetId: 3 }),
      ),
    );
    const rows = await db.selectFrom('follows').selectAll().execute();
    const [two, three] = await caller.facts({ userIds: [2, 3] });
    assert.equal(two?.followCount, rows.length);
    assert.equal(three?.followerCount, rows.length);
    assert.ok(rows.length <= 1);
  });
}

if (databaseModes().includes('mysql')) {
  test('mysql: concurrent follows and unfollows of one pair, both ways, never deadlock', async (t) => {
    const db = await freshSchema(t, 'mysql');
    // The procedure called without the service's deadlock retries, so that a deadlock shows.
    const calls = Array.from({ length: 900 }, (_, i) => {
      const [follower, followee] = i % 3 === 0 ? [2, 1] : [1, 2];
      return sql`CALL ${sql.id(FOLLOW_PROCEDURE)}(${follower}, ${followee}, ${i % 2 === 0 ? 1 : -1}, ${1_000 + i})`.execute(db);
    });
    const failed = (await Promise.allSettled(calls)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.deepEqual(failed.map((r) => (r.reason as { code?: string }).code ?? String(r.reason)), []);
    const rows = await db.selectFrom('follows').select(['follower_id', 'followee_id']).execute();
    const counts = await db.selectFrom('follow_counts').selectAll().orderBy('user_id').execute();
    const of = (id: number, side: 'follower_id' | 'followee_id') => rows.filter((r) => r[side] === id).length;
    assert.deepEqual(
      counts.map((c) => [c.user_id, Number(c.follow_count), Number(c.follower_count)]),
      [1, 2].map((id) => [id, of(id, 'follower_id'), of(id, 'followee_id')]),
    );
  });

  test('mysql: a follow that fails after its first write leaves nothing behind and holds no lock', async (t) => {
    const db = await freshSchema(t, 'mysql');
    const caller = callerFor(createRouter({ db, user: fakeUserLookup(USERS).user, cache: await countsCache(t) }));
    // The followee's follower_count cannot grow past BIGINT's maximum: the follow fails after the follower's counter moved.
    await db.insertInto('follow_counts').values({ user_id: 2, follow_count: 0, follower_count: 9223372036854775807n as unknown as number }).execute();
    await assert.rejects(caller.follow({ actorId: 1, targetId: 2 }));
    assert.deepEqual(await db.selectFrom('follows').selectAll().execute(), []);
    assert.deepEqual(await db.selectFrom('follow_counts').select('user_id').execute(), [{ user_id: 2 }]);
    // User 1's next follow needs its counter row again: it would wait for a lock a failed call left open.
    await caller.follow({ actorId: 1, targetId: 3 });
    assert.deepEqual(await caller.facts({ userIds: [1, 3] }), [
      { userId: 1, followCount: 1, followerCount: 0 },
      { userId: 3, followCount: 0, followerCount: 1 },
    ]);
  });
}
