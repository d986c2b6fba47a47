import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { TRPCError } from '@trpc/server';
import { sql, type Kysely } from 'kysely';
import { FEED_MAX, createCallerFactory } from '@douyin/contracts';
import { databaseModes, filesUnder, mediaFixtures, rejectsWith, sharedRedisUrl, startS3 } from '@douyin/testing';
import { dialectOf, isDatabaseUnavailable } from '@douyin/db';
import { StorageUnavailableError, createDiskStore, createS3Store, newKey } from '@douyin/storage';
import { callerFor, stage, videoDeps } from '../test/harness.js';
import { ABANDONED_AFTER_MS, removeAbandoned } from './abandoned.js';
import * as repo from './repository.js';
import { createRouter } from './router.js';
import type { VideoTables } from './tables.js';

/** `db` with some of its methods replaced, the rest bound to it. */
function withMethods<T extends object>(db: T, methods: Record<string, unknown>): T {
  return new Proxy(db, {
    get: (target, prop) => {
      if (typeof prop === 'string' && prop in methods) return methods[prop];
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** True for the statement that saves a publish: the procedure's call on MySQL, the insert on SQLite. */
const savesVideo = (node: { kind: string; sqlFragments?: readonly string[] }) =>
  node.kind === 'RawNode' && /INSERT INTO videos|^CALL /.test(node.sqlFragments!.join('?'));

/**
 * `db` whose publish saves fail with `error()` as if their answer was lost: after taking effect when `committed`, else
 * after being rolled back (a failed COMMIT) or never run (a procedure's call); with `lookupsFail`, the read that would
 * look for the row fails the same way.
 */
function failingSaves(db: Kysely<VideoTables>, error: () => Error, { committed = false, lookupsFail = false } = {}): Kysely<VideoTables> {
  const saves = new Set<string>();
  const failing =
    dialectOf(db) === 'mysql'
      ? db.withPlugin({
          transformQuery: ({ node, queryId }) => {
            if (!savesVideo(node)) return node;
            if (!committed) throw error();
            saves.add(queryId.queryId);
            return node;
          },
          transformResult: async ({ result, queryId }) => {
            if (saves.has(queryId.queryId)) throw error();
            return result;
          },
        })
      : withMethods(db, {
          transaction: () => ({
            execute: async (fn: (trx: unknown) => Promise<unknown>) => {
              if (committed) await db.transaction().execute(fn as never);
              else await db.transaction().execute(async (trx) => Promise.reject(await fn(trx))).catch(() => undefined);
              throw error();
            },
          }),
        });
  return lookupsFail
    ? withMethods(failing, { selectFrom: () => ({ selectAll: () => ({ where: () => ({ where: () => ({ executeTakeFirst: async () => Promise.reject(error()) }) }) }) }) })
    : failing;
}

for (const mode of databaseModes()) {
  test(`publish keeps the bytes unchanged, makes a JPEG cover and consumes the staged upload (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const caller = callerFor(createRouter(deps));
    const before = Date.now();
    const video = await caller.publish({ authorId: 7, title: '第一条 😀 <b>', stagingKey: await stage(deps.store, mp4) });
    assert.equal(video.authorId, 7);
    assert.equal(video.title, '第一条 😀 <b>');
    assert.match(video.videoKey, /^videos\/[0-9a-f-]{36}\.mp4$/);
    assert.match(video.coverKey, /^covers\/[0-9a-f-]{36}\.jpg$/);
    assert.ok(video.publishedAt >= before && video.publishedAt <= Date.now());
    assert.ok(mp4.equals(await buffer((await deps.store.get(video.videoKey))!)));
    const cover = await buffer((await deps.store.get(video.coverKey))!);
    assert.deepEqual([...cover.subarray(0, 2)], [0xff, 0xd8]);
    assert.deepEqual(await filesUnder(deps.storeRoot), [video.coverKey, video.videoKey].sort());
    assert.deepEqual(await filesUnder(deps.workDir), []);
    assert.deepEqual(await caller.feed({}), [video]);
  });

  test(`uploads that are not videos are refused and leave nothing behind (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const fixtures = await mediaFixtures(t);
    const caller = callerFor(createRouter(deps));
    for (const [name, bytes] of Object.entries({ ...fixtures, empty: Buffer.alloc(0), mp4: undefined })) {
      if (!bytes) continue;
      const stagingKey = await stage(deps.store, bytes);
      await assert.rejects(caller.publish({ authorId: 1, title: name, stagingKey }), rejectsWith('BAD_REQUEST', 'not_a_video'), name);
    }
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
    assert.deepEqual(await filesUnder(deps.workDir), []);
    assert.deepEqual(await caller.feed({}), []);
  });

  test(`a publish for an author nobody has is user_not_found and leaves nothing behind (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const caller = callerFor(createRouter(deps));
    // The gateway vouches for its token's user; a call from elsewhere in the mesh for an id nobody has is refused too.
    await assert.rejects(caller.publish({ authorId: 999, title: 'nobody', stagingKey: await stage(deps.store, mp4) }), rejectsWith('NOT_FOUND', 'user_not_found'));
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
    assert.deepEqual(await filesUnder(deps.workDir), []);
    assert.deepEqual(await caller.feed({}), []);
    assert.deepEqual(await caller.workCounts({ userIds: [999] }), []);
  });

  test(`a playlist naming a network address is not fetched, and is not a video (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const asked: string[] = [];
    const server = createServer((req, res) => (asked.push(req.url ?? ''), res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const hls = `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nhttp://127.0.0.1:${port}/segment.ts\n#EXT-X-ENDLIST\n`;
    const caller = callerFor(createRouter(deps));
    await assert.rejects(caller.publish({ authorId: 1, title: 't', stagingKey: await stage(deps.store, Buffer.from(hls)) }), rejectsWith('BAD_REQUEST', 'not_a_video'));
    assert.deepEqual(asked, []);
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
  });

  test(`a missing ffprobe is media_unavailable, not the upload's fault (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const caller = callerFor(createRouter({ ...deps, media: { ...deps.media, ffprobePath: '/nonexistent/ffprobe' } }));
    const stagingKey = await stage(deps.store, mp4);
    await assert.rejects(caller.publish({ authorId: 1, title: 't', stagingKey }), rejectsWith('SERVICE_UNAVAILABLE', 'media_unavailable'));
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
  });

  test(`a work dir that cannot be written is media_unavailable, and the staged upload is still consumed (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const caller = callerFor(createRouter({ ...deps, workDir: join(deps.workDir, 'removed') }));
    const stagingKey = await stage(deps.store, mp4);
    await assert.rejects(caller.publish({ authorId: 1, title: 't', stagingKey }), rejectsWith('SERVICE_UNAVAILABLE', 'media_unavailable'));
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
  });

  test(`a storage failure after the video was stored deletes it; no row, no staged upload, its intent left to the sweep (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const failingCovers = {
      ...deps.store,
      put: async (key: string, body: Parameters<typeof deps.store.put>[1]) => {
        if (key.startsWith('covers/')) throw new StorageUnavailableError('disk full');
        return deps.store.put(key, body);
      },
    };
    const caller = callerFor(createRouter({ ...deps, store: failingCovers }));
    const stagingKey = await stage(deps.store, mp4);
    await assert.rejects(caller.publish({ authorId: 1, title: 't', stagingKey }), (err: unknown) => {
      assert.ok(err instanceof TRPCError && err.cause instanceof StorageUnavailableError);
      return true;
    });
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
    assert.deepEqual(await caller.feed({}), []);
    // A store that failed may still carry out a write it was asked for: the sweep looks at these keys again in a day.
    assert.equal((await deps.db.selectFrom('publish_intents').selectAll().execute()).length, 1);
  });

  test(`a database failure deletes both stored objects (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const caller = callerFor(createRouter(deps));
    const stagingKey = await stage(deps.store, mp4);
    await deps.db.schema.dropTable('videos').execute();
    await assert.rejects(caller.publish({ authorId: 1, title: 't', stagingKey }), rejectsWith('INTERNAL_SERVER_ERROR'));
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
  });

  // MySQL/MariaDB save in one procedure call, which reads nothing back.
  if (mode === 'sqlite') test(`a failure reading the new row back leaves neither the row nor the stored objects (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    let inserted = false;
    const db = deps.db.withPlugin({
      transformQuery: ({ node }) => {
        if (node.kind === 'RawNode' && node.sqlFragments.join('?').includes('INSERT INTO videos')) inserted = true;
        // The read right after the insert, as a dropped connection would fail it.
        else if (inserted && node.kind === 'SelectQueryNode') throw Object.assign(new Error('connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' });
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const caller = callerFor(createRouter({ ...deps, db }));
    await assert.rejects(caller.publish({ authorId: 5, title: 'lost', stagingKey: await stage(deps.store, mp4) }));
    assert.ok(inserted);
    assert.deepEqual(await callerFor(createRouter(deps)).byAuthor({ authorId: 5 }), []);
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
  });

  test(`a publish whose save's answer was lost after the row committed succeeds, files and counts included (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const caller = callerFor(createRouter(deps));
    assert.deepEqual(await caller.workCounts({ userIds: [4] }), []); // cached
    const db = failingSaves(deps.db, () => Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' }), { committed: true });
    const video = await callerFor(createRouter({ ...deps, db })).publish({ authorId: 4, title: 'committed', stagingKey: await stage(deps.store, mp4) });
    assert.deepEqual(await caller.byAuthor({ authorId: 4 }), [video]);
    assert.deepEqual(await filesUnder(deps.storeRoot), [video.coverKey, video.videoKey].sort());
    assert.deepEqual(await caller.workCounts({ userIds: [4] }), [{ userId: 4, count: 1 }]);
  });

  test(`a publish that cannot tell whether its row committed keeps its files, for the sweep to remove a day later (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const saved = await callerFor(createRouter(deps)).publish({ authorId: 3, title: 'saved', stagingKey: await stage(deps.store, mp4) });
    const down = () => Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' });
    // The save is rolled back (or never runs), then reports a lost connection; the read that would tell fails too.
    const db = failingSaves(deps.db, down, { lookupsFail: true });
    const publishing = callerFor(createRouter({ ...deps, db })).publish({ authorId: 4, title: 't', stagingKey: await stage(deps.store, mp4) });
    // The mesh server answers it as SERVICE_UNAVAILABLE / database_unavailable (the lost connection is its cause).
    await assert.rejects(publishing, (err: unknown) => isDatabaseUnavailable(err));
    assert.deepEqual((await filesUnder(deps.storeRoot)).map((key) => key.split('/')[0]), ['covers', 'covers', 'videos', 'videos']);
    // Its row never came (its intent is still there): the sweep that finds the intent a day old removes its files.
    const sweep = { ...deps, store: createDiskStore({ root: deps.storeRoot }) };
    assert.equal((await removeAbandoned(sweep, new Date(Date.now() - ABANDONED_AFTER_MS))).unfinishedPublishes, 0);
    assert.equal((await removeAbandoned(sweep, new Date(Date.now() + 1_000))).unfinishedPublishes, 1);
    assert.deepEqual(await filesUnder(deps.storeRoot), [saved.coverKey, saved.videoKey].sort());
  });

  test(`a publish whose save was never sent deletes its files, though nothing can be read any more (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    // The caller's deadline passed before the save (SQLite: its COMMIT) went out, the pool refusing to send it, and so it
    // has for the read that would look for the row: nothing is in doubt, so nothing may be kept.
    const late = () => Object.assign(new Error("the call's deadline passed before the statement was sent"), { code: 'DB_DEADLINE_EXCEEDED' });
    const db = failingSaves(deps.db, late, { lookupsFail: true });
    const publishing = callerFor(createRouter({ ...deps, db })).publish({ authorId: 4, title: 't', stagingKey: await stage(deps.store, mp4) });
    await assert.rejects(publishing, (err: unknown) => isDatabaseUnavailable(err));
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
    // The database still answers here (only the save was refused), so the publish dropped its intent itself.
    assert.deepEqual(await deps.db.selectFrom('publish_intents').selectAll().execute(), []);
  });

  test(`a publish whose connection was lost during its save keeps its files though its row is not there yet (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    // The server may still be committing: the row can appear after the look that did not find it.
    const db = failingSaves(deps.db, () => Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' }));
    const publishing = callerFor(createRouter({ ...deps, db })).publish({ authorId: 4, title: 't', stagingKey: await stage(deps.store, mp4) });
    await assert.rejects(publishing, (err: unknown) => isDatabaseUnavailable(err));
    assert.deepEqual((await filesUnder(deps.storeRoot)).map((key) => key.split('/')[0]), ['covers', 'videos']);
  });

  test(`a publish whose caller's deadline is too near to save it saves nothing and says TIMEOUT (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const router = createRouter(deps);
    // Half a second left: the probe may finish in it, the row would be committed after the gateway gave up.
    const hurried = createCallerFactory(router)({ requestId: 'late', deadline: Date.now() + 500 });
    await assert.rejects(hurried.publish({ authorId: 3, title: 'late', stagingKey: await stage(deps.store, mp4) }), rejectsWith('TIMEOUT'));
    assert.deepEqual(await filesUnder(deps.storeRoot), []);
    assert.deepEqual(await filesUnder(deps.workDir), []);
    const caller = callerFor(router);
    assert.deepEqual(await caller.byAuthor({ authorId: 3 }), []);
    assert.equal((await caller.publish({ authorId: 3, title: 'in time', stagingKey: await stage(deps.store, mp4) })).title, 'in time');
  });

  test(`concurrent publishes in one millisecond get unique, increasing publish times (${mode})`, async (t) => {
    const frozen = 1_700_000_000_000;
    const deps = await videoDeps(t, mode, { now: () => frozen });
    const { mp4 } = await mediaFixtures(t);
    const caller = callerFor(createRouter(deps));
    const keys = await Promise.all(Array.from({ length: 6 }, () => stage(deps.store, mp4)));
    const videos = await Promise.all(keys.map((stagingKey, i) => caller.publish({ authorId: 1, title: `v${i}`, stagingKey })));
    const times = videos.map((v) => v.publishedAt).sort((a, b) => a - b);
    assert.deepEqual(times, Array.from({ length: 6 }, (_, i) => frozen + i));
    // Later ids never get earlier times: publish order is id order.
    const byId = [...videos].sort((a, b) => a.id - b.id).map((v) => v.publishedAt);
    assert.deepEqual(byId, times);
  });

  test(`concurrent saves take turns: none is run again, times are unique and follow ids (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    let calls = 0;
    const db = deps.db.withPlugin({
      transformQuery: ({ node }) => (savesVideo(node) && calls++, node),
      transformResult: async ({ result }) => result,
    });
    // Its lock row deleted by hand: the saves make it again rather than run unqueued.
    if (mode === 'mysql') await sql`DELETE FROM publish_lock`.execute(deps.db);
    const frozen = 1_700_000_000_000;
    const saved = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const keys = { videoKey: newKey('videos', 'mp4'), coverKey: newKey('covers', 'jpg') };
        const intent = await repo.recordIntent(deps.db, keys, frozen);
        return repo.saveVideo(db, { authorId: 1 + (i % 3), title: `v${i}`, ...keys }, intent, frozen, () => undefined);
      }),
    );
    // Every save ran once: two publishes computing their times at once (an INSERT ... SELECT MAX()) deadlock on MariaDB.
    assert.equal(calls, 16);
    const byId = saved.map((row) => row!).sort((a, b) => a.id - b.id);
    assert.deepEqual(byId.map((row) => row.published_at), Array.from({ length: 16 }, (_, i) => frozen + i));
    assert.deepEqual(await callerFor(createRouter(deps)).byIds({ videoIds: byId.map((row) => row.id) }).then((videos) => videos.length), 16);
    assert.deepEqual(await deps.db.selectFrom('publish_intents').selectAll().execute(), []);
  });

  test(`a save whose intent the sweep took keeps nothing (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const keys = { videoKey: newKey('videos', 'mp4'), coverKey: newKey('covers', 'jpg') };
    const intent = await repo.recordIntent(deps.db, keys, Date.now());
    await repo.dropIntent(deps.db, intent);
    assert.equal(await repo.saveVideo(deps.db, { authorId: 1, title: 'swept', ...keys }, intent, Date.now(), () => undefined), undefined);
    assert.deepEqual(await deps.db.selectFrom('videos').selectAll().execute(), []);
  });

  test(`a publish whose insert was a deadlock victim is inserted again, once (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    // What MariaDB answers a statement it rolled back while it waited for a lock: a deadlock, or, waiting for the
    // table's auto-increment lock, a failed auto-increment read.
    for (const code of ['ER_LOCK_DEADLOCK', 'ER_AUTOINC_READ_FAILED']) {
      let failures = 1;
      const db = deps.db.withPlugin({
        transformQuery: ({ node }) => {
          if (failures > 0 && savesVideo(node)) {
            failures--;
            throw Object.assign(new Error(`a victim: ${code}`), { code });
          }
          return node;
        },
        transformResult: async ({ result }) => result,
      });
      const caller = callerFor(createRouter({ ...deps, db }));
      const video = await caller.publish({ authorId: 4, title: code, stagingKey: await stage(deps.store, mp4) });
      assert.equal(failures, 0);
      assert.deepEqual((await caller.byAuthor({ authorId: 4 })).filter((v) => v.title === code), [video]);
    }
  });

  test(`feed pages strictly before a time, newest first; lists, lookups and counts (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const caller = callerFor(createRouter(deps));
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      const video = { authorId: i % 2 === 0 ? 10 : 20, title: `v${i}`, videoKey: newKey('videos', 'mp4'), coverKey: newKey('covers', 'jpg') };
      ids.push(await repo.insertVideo(deps.db, video, 1000 + i * 10));
    }
    const page1 = await caller.feed({ limit: 3 });
    assert.deepEqual(page1.map((v) => v.publishedAt), [1060, 1050, 1040]);
    const page2 = await caller.feed({ limit: 3, before: page1.at(-1)!.publishedAt });
    assert.deepEqual(page2.map((v) => v.publishedAt), [1030, 1020, 1010]);
    const page3 = await caller.feed({ limit: 3, before: page2.at(-1)!.publishedAt });
    assert.deepEqual(page3.map((v) => v.title), ['v0']);
    assert.deepEqual(await caller.feed({ before: 1000 }), []);
    assert.equal((await caller.feed({ before: 1001 })).length, 1);
    assert.deepEqual((await caller.byAuthor({ authorId: 20 })).map((v) => v.title), ['v5', 'v3', 'v1']);
    assert.deepEqual((await caller.byAuthor({ authorId: 20, limit: 2 })).map((v) => v.title), ['v5', 'v3']);
    assert.deepEqual(await caller.byAuthor({ authorId: 30 }), []);
    assert.deepEqual((await caller.byIds({ videoIds: [ids[2]!, ids[0]!, 99_999] })).map((v) => v.id).sort((a, b) => a - b), [ids[0], ids[2]]);
    const counts = await caller.workCounts({ userIds: [10, 20, 30] });
    assert.deepEqual(counts.sort((a, b) => a.userId - b.userId), [{ userId: 10, count: 4 }, { userId: 20, count: 3 }]);
  });

  test(`videos by id are read once, in the order asked; an id not found then is found once published (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const caller = callerFor(createRouter(deps));
    const insert = (title: string) => repo.insertVideo(deps.db, { authorId: 1, title, videoKey: newKey('videos', 'mp4'), coverKey: newKey('covers', 'jpg') }, Date.now());
    const [first, second] = [await insert('first'), await insert('second')];
    const unknown = second + 1;
    const titles = async (videoIds: number[]) => (await caller.byIds({ videoIds })).map((v) => v.title);
    assert.deepEqual(await titles([second, unknown, first, second]), ['second', 'first']);
    // A row changed behind the service's back (the service itself never changes one) tells a cached answer from a query.
    await deps.db.updateTable('videos').set({ title: 'changed' }).where('id', '=', first).execute();
    const cached = Boolean(sharedRedisUrl());
    assert.deepEqual(await titles([first]), [cached ? 'first' : 'changed']);
    assert.equal(await insert('third'), unknown);
    assert.deepEqual(await titles([unknown, first]), ['third', cached ? 'first' : 'changed']);
  });

  test(`the newest videos are read once and answer every page they hold; a publish shows at once (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const caller = callerFor(createRouter(deps));
    const insert = (at: number) => repo.insertVideo(deps.db, { authorId: 1, title: `at ${at}`, videoKey: newKey('videos', 'mp4'), coverKey: newKey('covers', 'jpg') }, at);
    for (let i = 0; i < FEED_MAX + 5; i++) await insert(1000 + i);
    const newest = (await caller.feed({})).map((v) => v.publishedAt);
    assert.deepEqual(newest, Array.from({ length: FEED_MAX }, (_, i) => 1000 + FEED_MAX + 4 - i));

    // A row written behind the service's back is what tells a cached answer from a query.
    await insert(5000);
    const cached = Boolean(sharedRedisUrl());
    assert.deepEqual((await caller.feed({})).map((v) => v.publishedAt), cached ? newest : [5000, ...newest.slice(0, -1)]);
    assert.deepEqual((await caller.feed({ before: 6000, limit: 3 })).map((v) => v.publishedAt), cached ? newest.slice(0, 3) : [5000, ...newest.slice(0, 2)]);
    assert.deepEqual((await caller.feed({ before: 1030, limit: 2 })).map((v) => v.publishedAt), [1029, 1028], 'inside the newest');
    // Past the newest entry's oldest video the page comes from the database, and so does one it holds only partly.
    assert.deepEqual((await caller.feed({ before: 1005 })).map((v) => v.publishedAt), [1004, 1003, 1002, 1001, 1000]);
    assert.deepEqual((await caller.feed({ before: 1010, limit: 6 })).map((v) => v.publishedAt), [1009, 1008, 1007, 1006, 1005, 1004]);

    const video = await caller.publish({ authorId: 2, title: 'new', stagingKey: await stage(deps.store, mp4) });
    assert.deepEqual((await caller.feed({ limit: 3 })).map((v) => v.title), ['new', 'at 5000', `at ${1000 + FEED_MAX + 4}`]);
    assert.deepEqual((await caller.feed({ before: video.publishedAt + 1, limit: 1 })).map((v) => v.id), [video.id]);
  });

  test(`with fewer videos than a page the cached newest are every video (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const caller = callerFor(createRouter(deps));
    await repo.insertVideo(deps.db, { authorId: 1, title: 'only', videoKey: newKey('videos', 'mp4'), coverKey: newKey('covers', 'jpg') }, 1000);
    assert.equal((await caller.feed({})).length, 1);
    assert.deepEqual(await caller.feed({ before: 1000 }), []);
    assert.equal((await caller.feed({ before: 1001 })).length, 1);
  });

  test(`a publish counts at once for its author, even after the counts were cached (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    const { mp4 } = await mediaFixtures(t);
    const caller = callerFor(createRouter(deps));
    assert.deepEqual(await caller.workCounts({ userIds: [7, 8] }), []);
    await caller.publish({ authorId: 7, title: 'one', stagingKey: await stage(deps.store, mp4) });
    assert.deepEqual(await caller.workCounts({ userIds: [7, 8] }), [{ userId: 7, count: 1 }]);
    const keys = await Promise.all([1, 2].map(() => stage(deps.store, mp4)));
    await Promise.all(keys.map((stagingKey, n) => caller.publish({ authorId: 7, title: `more ${n}`, stagingKey })));
    assert.deepEqual(await caller.workCounts({ userIds: [8, 7] }), [{ userId: 7, count: 3 }]);
  });

  test(`bad input is refused before anything is read (${mode})`, async (t) => {
    const deps = await videoDeps(t, mode);
    // Every store call and SQL statement the router makes, to show that bad input makes none.
    const touched: string[] = [];
    const store = new Proxy(deps.store, {
      get: (target, name, receiver) => {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (touched.push(`store.${String(name)}`), value.apply(target, args));
      },
    });
    const db = deps.db.withPlugin({ transformQuery: ({ node }) => (touched.push(node.kind), node), transformResult: async ({ result }) => result });
    const caller = callerFor(createRouter({ ...deps, store, db }));
    const stagingKey = newKey('staging');
    for (const bad of [
      { authorId: 1, title: '', stagingKey },
      { authorId: 1, title: ' \u3000 ', stagingKey },
      { authorId: 1, title: 'x'.repeat(101), stagingKey },
      { authorId: 1, title: 'a\u0000b', stagingKey },
      { authorId: 0, title: 'ok', stagingKey },
      { authorId: 1, title: 'ok', stagingKey: '../etc/passwd' },
      { authorId: 1, title: 'ok', stagingKey: newKey('videos', 'mp4') },
    ]) {
      await assert.rejects(caller.publish(bad), rejectsWith('BAD_REQUEST'), JSON.stringify(bad));
    }
    assert.deepEqual(touched, []);
    // 100 emoji are 100 code points: the title passes, and the missing staged upload is what fails.
    await assert.rejects(caller.publish({ authorId: 1, title: '😀'.repeat(100), stagingKey }), rejectsWith('NOT_FOUND', 'staged_upload_missing'));
    await assert.rejects(caller.feed({ limit: 31 }), rejectsWith('BAD_REQUEST'));
  });
}

test('publish with an S3 store: the upload is probed from a local copy and moved server-side under its final key', async (t) => {
  const store = createS3Store({ ...(await startS3(t)), region: 'us-east-1', partSize: 5 * 1024 * 1024, stallMs: 15_000 });
  await store.prepare();
  const deps = await videoDeps(t, 'sqlite', { store });
  const { mp4 } = await mediaFixtures(t);
  const stagingKey = await stage(store, mp4);
  const video = await callerFor(createRouter(deps)).publish({ authorId: 7, title: 'on s3', stagingKey });
  assert.ok(mp4.equals(await buffer((await store.get(video.videoKey))!)));
  assert.equal((await store.stat(video.videoKey))?.contentType, 'video/mp4');
  assert.equal(await store.stat(stagingKey), undefined, 'the staged upload was moved, not left behind');
  assert.deepEqual(await filesUnder(deps.workDir), [], 'the local copy is gone');
});
