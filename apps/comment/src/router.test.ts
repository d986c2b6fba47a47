import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInScope } from '@douyin/mesh';
import { databaseModes, fakeUserLookup, fakeVideoLookup, rejectsWith, sharedRedisUrl } from '@douyin/testing';
import { cacheFor, callerFor, freshSchema } from '../test/harness.js';
import { createRouter } from './router.js';

const VIDEO = 7;
const OTHER_VIDEO = 8;
const COMMENTERS = Array.from({ length: 10 }, (_, i) => i + 1);

async function setup(t: { after(fn: () => unknown): void }, mode: Parameters<typeof freshSchema>[1], redis = true) {
  const db = await freshSchema(t, mode);
  const cache = await cacheFor(t, { redis });
  const { video } = fakeVideoLookup({ [VIDEO]: 100, [OTHER_VIDEO]: 100 });
  const { user } = fakeUserLookup(COMMENTERS);
  let clock = 1_000;
  const caller = callerFor(createRouter({ db, cache, video, user, now: () => clock++ }));
  const countOf = async (videoId: number) => (await caller.counts({ videoIds: [videoId] }))[0]?.commentCount;
  return { db, cache, caller, user, countOf };
}

for (const mode of databaseModes()) {
  test(`a comment whose checks used up the caller's budget is not written: TIMEOUT, no row, no count (${mode})`, async (t) => {
    const { db, cache, user, countOf } = await setup(t, mode);
    const { video } = fakeVideoLookup({ [VIDEO]: 100 });
    // The video service answered, but late: the gateway has told the phone the comment failed, and it may send it again.
    const slowVideo = { byIds: { query: async (input: { videoIds: number[] }) => (await sleep(250), video.byIds.query(input)) } };
    const late = callerFor(createRouter({ db, cache, video: slowVideo, user }));
    const scope = { requestId: 'late-comment', deadline: Date.now() + 300 };
    await assert.rejects(runInScope(scope, () => late.add({ actorId: 1, videoId: VIDEO, text: 'late' })), rejectsWith('TIMEOUT'));
    const inTime = { requestId: 'comment', deadline: Date.now() + 2_000 };
    await runInScope(inTime, () => late.add({ actorId: 1, videoId: VIDEO, text: 'in time' }));
    assert.equal(await countOf(VIDEO), 1);
  });

  test(`text with SQL metacharacters, emoji and newlines is stored and returned verbatim (${mode})`, async (t) => {
    const { caller } = await setup(t, mode);
    const text = "Robert'); DROP TABLE comments;-- \\ % _ \" 😀👍🏽 抖音\nline two\t";
    const added = await caller.add({ actorId: 1, videoId: VIDEO, text });
    assert.equal(added.content, text);
    assert.deepEqual(await caller.list({ videoId: VIDEO }), [added]);
    const longest = '😀'.repeat(500);
    assert.equal((await caller.add({ actorId: 1, videoId: VIDEO, text: longest })).content, longest);
  });

  test(`comments list newest first, at most the limit asked, and counts follow adds and deletes (${mode})`, async (t) => {
    const { caller, countOf, cache } = await setup(t, mode);
    const first = await caller.add({ actorId: 1, videoId: VIDEO, text: 'first' });
    const second = await caller.add({ actorId: 2, videoId: VIDEO, text: 'second' });
    await caller.add({ actorId: 2, videoId: OTHER_VIDEO, text: 'elsewhere' });
    assert.deepEqual((await caller.list({ videoId: VIDEO })).map((c) => c.id), [second.id, first.id]);
    assert.deepEqual((await caller.list({ videoId: VIDEO, limit: 1 })).map((c) => c.id), [second.id]);
    assert.equal(await countOf(VIDEO), 2);
    assert.deepEqual(await caller.remove({ actorId: 1, videoId: VIDEO, commentId: first.id }), first);
    assert.equal(await countOf(VIDEO), 1);
    assert.deepEqual(await caller.counts({ videoIds: [VIDEO, OTHER_VIDEO, 999] }), [
      { videoId: VIDEO, commentCount: 1 },
      { videoId: OTHER_VIDEO, commentCount: 1 },
      { videoId: 999, commentCount: 0 },
    ]);
    // With Redis configured the counts really come from it between writes, not from a cache that quietly fell back.
    if (sharedRedisUrl()) assert.ok(cache.stats.of('comment-count').hits > 0 && cache.stats.total().failures === 0, JSON.stringify(cache.stats.total()));
  });

  test(`only the author deletes; twice, missing or on another video is comment_not_found; never a negative count (${mode})`, async (t) => {
    const { caller, countOf } = await setup(t, mode);
    const comment = await caller.add({ actorId: 1, videoId: VIDEO, text: 'mine' });
    await assert.rejects(caller.remove({ actorId: 2, videoId: VIDEO, commentId: comment.id }), rejectsWith('FORBIDDEN'));
    await assert.rejects(caller.remove({ actorId: 1, videoId: OTHER_VIDEO, commentId: comment.id }), rejectsWith('NOT_FOUND', 'comment_not_found'));
    await assert.rejects(caller.remove({ actorId: 1, videoId: VIDEO, commentId: comment.id + 100 }), rejectsWith('NOT_FOUND', 'comment_not_found'));
    await assert.rejects(caller.remove({ actorId: 1, videoId: 404, commentId: comment.id }), rejectsWith('NOT_FOUND', 'video_not_found'));
    assert.equal(await countOf(VIDEO), 1);
    // Concurrent deletes of one comment: exactly one succeeds.
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => caller.remove({ actorId: 1, videoId: VIDEO, commentId: comment.id })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') rejectsWith('NOT_FOUND', 'comment_not_found')(r.reason);
    await assert.rejects(caller.remove({ actorId: 1, videoId: VIDEO, commentId: comment.id }), rejectsWith('NOT_FOUND', 'comment_not_found'));
    assert.equal(await countOf(VIDEO), 0);
  });

  test(`bad text, unknown videos and unknown commenters are rejected before anything is written (${mode})`, async (t) => {
    const { caller, db } = await setup(t, mode);
    for (const text of ['', '   ', '\u3000\n', 'x'.repeat(501), '😀'.repeat(501), 'nul\u0000here', 'bell\u0007']) {
      await assert.rejects(caller.add({ actorId: 1, videoId: VIDEO, text }), rejectsWith('BAD_REQUEST'), JSON.stringify(text));
    }
    await assert.rejects(caller.add({ actorId: 1, videoId: 404, text: 'hello' }), rejectsWith('NOT_FOUND', 'video_not_found'));
    // The gateway vouches for its token's user; a call from elsewhere in the mesh for an id nobody has is refused too.
    await assert.rejects(caller.add({ actorId: 999, videoId: VIDEO, text: 'hello' }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.add({ actorId: 999, videoId: 404, text: 'hello' }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.list({ videoId: 404 }), rejectsWith('NOT_FOUND', 'video_not_found'));
    assert.equal((await db.selectFrom('comments').selectAll().execute()).length, 0);
  });

  test(`concurrent adds and deletes on one video leave the count equal to the rows (${mode})`, async (t) => {
    const { caller, db, countOf } = await setup(t, mode);
    const seeded = await Promise.all(Array.from({ length: 100 }, (_, i) => caller.add({ actorId: (i % 10) + 1, videoId: VIDEO, text: `c${i}` })));
    const removes = [...seeded, ...seeded].map((c) => caller.remove({ actorId: c.userId, videoId: VIDEO, commentId: c.id }));
    const others = [
      ...Array.from({ length: 200 }, (_, i) => caller.add({ actorId: (i % 10) + 1, videoId: VIDEO, text: `d${i}` })),
      ...Array.from({ length: 50 }, () => caller.counts({ videoIds: [VIDEO] })),
    ];
    const [removed, rest] = await Promise.all([Promise.allSettled(removes), Promise.allSettled(others)]);
    // Each comment is removed once; the second removal finds it gone. Every add and read succeeds.
    assert.equal(removed.filter((r) => r.status === 'fulfilled').length, 100);
    for (const r of removed) if (r.status === 'rejected') rejectsWith('NOT_FOUND', 'comment_not_found')(r.reason);
    assert.deepEqual(rest.filter((r) => r.status === 'rejected'), []);
    const rows = (await db.selectFrom('comments').select('id').where('video_id', '=', VIDEO).execute()).length;
    assert.equal(rows, 200);
    assert.equal(await countOf(VIDEO), rows);
  });

  test(`without Redis counts come from the database (${mode})`, async (t) => {
    const { caller, countOf, cache } = await setup(t, mode, false);
    await caller.add({ actorId: 1, videoId: VIDEO, text: 'hi' });
    assert.equal(await countOf(VIDEO), 1);
    assert.deepEqual(cache.stats.total(), { hits: 0, misses: 0, declined: 0, failures: 0 });
  });
}

if (databaseModes().includes('mysql')) {
  const BIGINT_MAX = 9223372036854775807n as unknown as number;
  const BIGINT_MIN = -9223372036854775808n as unknown as number;
  const setCount = (db: Awaited<ReturnType<typeof setup>>['db'], count: number) =>
    db.insertInto('video_comment_counts').values({ video_id: VIDEO, comment_count: count }).onDuplicateKeyUpdate({ comment_count: count }).execute();

  test('mysql: an add or a removal that fails after its first write leaves nothing behind and holds no lock', async (t) => {
    const { caller, db } = await setup(t, 'mysql');
    const kept = await caller.add({ actorId: 1, videoId: VIDEO, text: 'kept' });
    // The count cannot grow past BIGINT's maximum: the add fails on its second write, after inserting the comment.
    await setCount(db, BIGINT_MAX);
    await assert.rejects(caller.add({ actorId: 1, videoId: VIDEO, text: 'lost' }));
    assert.deepEqual((await db.selectFrom('comments').select('id').execute()).map((r) => r.id), [kept.id]);
    // Nor below its minimum: the removal fails after deleting the comment, which must come back.
    await setCount(db, BIGINT_MIN);
    await assert.rejects(caller.remove({ actorId: 1, videoId: VIDEO, commentId: kept.id }));
    assert.deepEqual((await db.selectFrom('comments').select('id').execute()).map((r) => r.id), [kept.id]);
    // Both calls locked the video's counter row: rewriting it would wait for a lock a failed call left open.
    await setCount(db, 1);
    await caller.remove({ actorId: 1, videoId: VIDEO, commentId: kept.id });
    await caller.add({ actorId: 2, videoId: VIDEO, text: 'after' });
    assert.deepEqual(await db.selectFrom('video_comment_counts').selectAll().execute(), [{ video_id: VIDEO, comment_count: 1 }]);
  });
}
