import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseModes, fakeUserLookup, fakeVideoLookup, rejectsWith } from '@douyin/testing';
import { cacheFor, callerFor, freshSchema } from '../test/harness.js';
import { createRouter } from './router.js';

const AUTHOR = 100;
const VIDEO = 7;
const LIKERS = Array.from({ length: 20 }, (_, i) => i + 1);

async function setup(t: { after(fn: () => unknown): void }, mode: Parameters<typeof freshSchema>[1], redis = true) {
  const db = await freshSchema(t, mode);
  const cache = await cacheFor(t, { redis });
  const { video, calls } = fakeVideoLookup({ [VIDEO]: AUTHOR, 8: AUTHOR, 9: 200 });
  const { user } = fakeUserLookup([...LIKERS, AUTHOR, 200]);
  let clock = 1_000;
  const caller = callerFor(createRouter({ db, cache, video, user, now: () => clock++ }));
  return { db, cache, caller, videoCalls: calls };
}

/** The counters recomputed from the like rows, to compare with what the service keeps. */
async function countsFromRows(db: Awaited<ReturnType<typeof freshSchema>>) {
  const rows = await db.selectFrom('favorites').select(['user_id', 'video_id', 'author_id']).execute();
  const tally = (key: (r: (typeof rows)[number]) => number) =>
    rows.reduce((m, r) => m.set(key(r), (m.get(key(r)) ?? 0) + 1), new Map<number, number>());
  return { rows: rows.length, byVideo: tally((r) => r.video_id), byUser: tally((r) => r.user_id), byAuthor: tally((r) => r.author_id) };
}

for (const mode of databaseModes()) {
  test(`liking twice counts once, unliking twice uncounts once, for video, liker and author (${mode})`, async (t) => {
    const { caller } = await setup(t, mode);
    await caller.like({ actorId: 1, videoId: VIDEO });
    await caller.like({ actorId: 1, videoId: VIDEO });
    await caller.like({ actorId: AUTHOR, videoId: VIDEO }); // authors may like their own videos
    assert.deepEqual(await caller.videoFacts({ videoIds: [VIDEO, 8] }), [
      { videoId: VIDEO, favoriteCount: 2 },
      { videoId: 8, favoriteCount: 0 },
    ]);
    assert.deepEqual(await caller.likedAmong({ users: [{ userId: 1, ids: [VIDEO, 8] }] }), [{ userId: 1, ids: [VIDEO] }]);
    assert.deepEqual(await caller.userFacts({ userIds: [1, AUTHOR, 3] }), [
      { userId: 1, favoriteCount: 1, totalFavorited: 0 },
      { userId: AUTHOR, favoriteCount: 1, totalFavorited: 2 },
      { userId: 3, favoriteCount: 0, totalFavorited: 0 },
    ]);
    await caller.unlike({ actorId: 1, videoId: VIDEO });
    await caller.unlike({ actorId: 1, videoId: VIDEO });
    await caller.unlike({ actorId: 2, videoId: VIDEO }); // never liked: nothing changes, no error
    assert.deepEqual(await caller.videoFacts({ videoIds: [VIDEO] }), [{ videoId: VIDEO, favoriteCount: 1 }]);
    assert.deepEqual(await caller.likedAmong({ users: [{ userId: 1, ids: [VIDEO] }] }), [{ userId: 1, ids: [] }]);
    assert.deepEqual(await caller.userFacts({ userIds: [1, AUTHOR] }), [
      { userId: 1, favoriteCount: 0, totalFavorited: 0 },
      { userId: AUTHOR, favoriteCount: 1, totalFavorited: 1 },
    ]);
  });

  test(`an unknown video or actor is NOT_FOUND for like and unlike, and nothing is written (${mode})`, async (t) => {
    const { caller, db } = await setup(t, mode);
    await assert.rejects(caller.like({ actorId: 1, videoId: 404 }), rejectsWith('NOT_FOUND', 'video_not_found'));
    await assert.rejects(caller.unlike({ actorId: 1, videoId: 404 }), rejectsWith('NOT_FOUND', 'video_not_found'));
    // The gateway vouches for its token's user; a call from elsewhere in the mesh for an id nobody has is refused too.
    await assert.rejects(caller.like({ actorId: 999, videoId: VIDEO }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.unlike({ actorId: 999, videoId: VIDEO }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.like({ actorId: 999, videoId: 404 }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.like({ actorId: 0, videoId: VIDEO }), rejectsWith('BAD_REQUEST'));
    assert.equal((await db.selectFrom('favorites').selectAll().execute()).length, 0);
    assert.equal((await db.selectFrom('video_favorite_counts').selectAll().execute()).length, 0);
  });

  test(`liked videos come most recently liked first, at most the limit asked; an unknown user is NOT_FOUND (${mode})`, async (t) => {
    const { caller } = await setup(t, mode);
    await caller.like({ actorId: 1, videoId: 8 });
    await caller.like({ actorId: 1, videoId: 9 });
    await caller.like({ actorId: 1, videoId: VIDEO });
    await caller.like({ actorId: 1, videoId: 9 }); // a repeated like does not move it up
    assert.deepEqual(await caller.likedVideos({ userId: 1 }), [VIDEO, 9, 8]);
    assert.deepEqual(await caller.likedVideos({ userId: 1, limit: 2 }), [VIDEO, 9]);
    assert.deepEqual(await caller.likedVideos({ userId: 2 }), []);
    await assert.rejects(caller.likedVideos({ userId: 999 }), rejectsWith('NOT_FOUND', 'user_not_found'));
  });

  test(`likedAmong answers many viewers at once, each about its own videos (${mode})`, async (t) => {
    const { caller } = await setup(t, mode);
    await caller.like({ actorId: 1, videoId: VIDEO });
    await caller.like({ actorId: 1, videoId: 9 });
    await caller.like({ actorId: 2, videoId: 8 });
    await caller.like({ actorId: 2, videoId: 9 }); // liked, but 2 asks only about 8 and 404
    const answer = await caller.likedAmong({
      users: [
        { userId: 1, ids: [VIDEO, 8] },
        { userId: 2, ids: [8, 404] },
        { userId: 3, ids: [VIDEO] },
        { userId: 1, ids: [9] }, // asked twice: one answer for the union
      ],
    });
    const sorted = answer.map(({ userId, ids }) => ({ userId, ids: [...ids].sort((a, b) => a - b) }));
    assert.deepEqual(sorted, [
      { userId: 1, ids: [VIDEO, 9] },
      { userId: 2, ids: [8] },
      { userId: 3, ids: [] },
    ]);
    await caller.unlike({ actorId: 1, videoId: VIDEO });
    assert.deepEqual(await caller.likedAmong({ users: [{ userId: 1, ids: [VIDEO, 9] }] }), [{ userId: 1, ids: [9] }]);
    // Bounded before any read: at most 100 users and 10,000 pairs per call.
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    await assert.rejects(caller.likedAmong({ users: ids(101).map((userId) => ({ userId, ids: [VIDEO] })) }), rejectsWith('BAD_REQUEST'));
    await assert.rejects(caller.likedAmong({ users: ids(21).map((userId) => ({ userId, ids: ids(500) })) }), rejectsWith('BAD_REQUEST'));
  });

  test(`a like whose answer was lost after it reached the database leaves no stale count in Redis (${mode})`, async (t) => {
    const { db, cache, caller } = await setup(t, mode);
    assert.deepEqual(await caller.videoFacts({ videoIds: [VIDEO] }), [{ videoId: VIDEO, favoriteCount: 0 }]); // cached
    // The write runs (on MySQL the procedure commits); its answer is then lost, as with a dropped connection.
    const lost = new WeakSet<object>();
    const dropping = db.withPlugin({
      transformQuery: ({ node, queryId }) => {
        const sql = node.kind === 'RawNode' ? node.sqlFragments.join('?') : '';
        if (sql.startsWith('CALL') || node.kind === 'InsertQueryNode') lost.add(queryId);
        return node;
      },
      transformResult: async ({ queryId, result }) => {
        if (lost.has(queryId)) throw Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' });
        return result;
      },
    });
    const { video } = fakeVideoLookup({ [VIDEO]: AUTHOR });
    const { user } = fakeUserLookup([1, AUTHOR]);
    await assert.rejects(callerFor(createRouter({ db: dropping, cache, video, user })).like({ actorId: 1, videoId: VIDEO }));
    const { byVideo } = await countsFromRows(db);
    assert.deepEqual(await caller.videoFacts({ videoIds: [VIDEO] }), [{ videoId: VIDEO, favoriteCount: byVideo.get(VIDEO) ?? 0 }]);
  });

  test(`facts are served from Redis and a like invalidates exactly what it changed (${mode})`, async (t) => {
    const { caller, cache } = await setup(t, mode);
    await caller.videoFacts({ videoIds: [VIDEO, 8] });
    await caller.videoFacts({ videoIds: [VIDEO, 8] });
    assert.deepEqual(cache.stats.of('video-count'), { hits: 2, misses: 2, declined: 0, failures: 0 });
    await caller.like({ actorId: 1, videoId: VIDEO });
    assert.deepEqual(await caller.videoFacts({ videoIds: [VIDEO, 8] }), [
      { videoId: VIDEO, favoriteCount: 1 },
      { videoId: 8, favoriteCount: 0 },
    ]);
    assert.deepEqual(cache.stats.of('video-count'), { hits: 3, misses: 3, declined: 0, failures: 0 });
  });

  test(`1,000 concurrent likes and unlikes from many users on one video leave counts equal to rows (${mode})`, async (t) => {
    const { caller, db } = await setup(t, mode);
    const users = LIKERS; // 50 requests per (user, video) pair
    const calls = Array.from({ length: 1_000 }, (_, i) => {
      const actorId = users[(i * 37) % users.length] as number;
      return i % 3 === 2 ? caller.unlike({ actorId, videoId: VIDEO }) : caller.like({ actorId, videoId: VIDEO });
    });
    // Readers run during the storm, so the cache sees reads racing the writes' invalidations.
    const reads = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0 ? caller.videoFacts({ videoIds: [VIDEO] }) : caller.likedAmong({ users: [{ userId: users[i % users.length]!, ids: [VIDEO] }] }),
    );
    const results = await Promise.allSettled([...calls, ...reads]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.deepEqual(failed.map((r) => String(r.reason)).slice(0, 3), []);

    const truth = await countsFromRows(db);
    assert.ok(truth.rows > 0 && truth.rows <= users.length);
    const [facts] = await caller.videoFacts({ videoIds: [VIDEO] });
    assert.equal(facts?.favoriteCount, truth.byVideo.get(VIDEO));
    const userFacts = await caller.userFacts({ userIds: [...users, AUTHOR] });
    for (const f of userFacts) {
      assert.equal(f.favoriteCount, truth.byUser.get(f.userId) ?? 0, `favorite_count of user ${f.userId}`);
    }
    assert.equal(userFacts.find((f) => f.userId === AUTHOR)?.totalFavorited, truth.byAuthor.get(AUTHOR));
    const stored = await db.selectFrom('video_favorite_counts').select('favorite_count').where('video_id', '=', VIDEO).executeTakeFirstOrThrow();
    assert.equal(stored.favorite_count, truth.rows);
    const liked = await caller.likedAmong({ users: [{ userId: 1, ids: [VIDEO] }] });
    const row = await db.selectFrom('favorites').select('id').where('user_id', '=', 1).where('video_id', '=', VIDEO).executeTakeFirst();
    assert.deepEqual(liked, [{ userId: 1, ids: row ? [VIDEO] : [] }]);
  });

  test(`without Redis the service answers the same from the database (${mode})`, async (t) => {
    const { caller } = await setup(t, mode, false);
    await caller.like({ actorId: 2, videoId: 9 });
    assert.deepEqual(await caller.videoFacts({ videoIds: [9] }), [{ videoId: 9, favoriteCount: 1 }]);
    assert.deepEqual(await caller.likedAmong({ users: [{ userId: 2, ids: [9] }] }), [{ userId: 2, ids: [9] }]);
    assert.deepEqual(await caller.userFacts({ userIds: [200] }), [{ userId: 200, favoriteCount: 0, totalFavorited: 1 }]);
  });
}

if (databaseModes().includes('mysql')) {
  test('mysql: a like that fails after its first writes leaves nothing behind and holds no lock', async (t) => {
    const { caller, db } = await setup(t, 'mysql');
    // The liker's favorite_count cannot grow past BIGINT's maximum: the third write of the like fails.
    await db.insertInto('user_favorite_counts').values({ user_id: 1, favorite_count: 9223372036854775807n as unknown as number, total_favorited: 0 }).execute();
    await assert.rejects(caller.like({ actorId: 1, videoId: VIDEO }));
    assert.equal((await db.selectFrom('favorites').selectAll().execute()).length, 0);
    assert.deepEqual(await db.selectFrom('video_favorite_counts').selectAll().execute(), []);
    // Another like of the same video needs the video's counter row: it would wait for a lock a failed call left open.
    await caller.like({ actorId: 2, videoId: VIDEO });
    assert.deepEqual(await caller.videoFacts({ videoIds: [VIDEO] }), [{ videoId: VIDEO, favoriteCount: 1 }]);
  });
}
