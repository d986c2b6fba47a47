import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KyselyPlugin } from 'kysely';
import { INBOX_RECENT_MS, LIST_MAX, MESSAGE_CONTENT } from '@douyin/contracts';
import { MAX_FRAME_BYTES } from '@douyin/mesh';
import { databaseModes, fakeUserLookup, rejectsWith } from '@douyin/testing';
import { callerFor, freshSchema } from '../test/harness.js';
import { createRouter } from './router.js';

for (const mode of databaseModes()) {
  const setup = async (t: { after(fn: () => unknown): void }, now?: () => number) => {
    const db = await freshSchema(t, mode);
    const users = fakeUserLookup([1, 2, 3, 4]);
    const router = () => createRouter({ db, user: users.user, now });
    return { db, users, caller: callerFor(router()), router };
  };

  test(`a send stores exactly one message, verbatim (${mode})`, async (t) => {
    const { caller, db } = await setup(t);
    const content = "hi 😀 抖音 '; DROP TABLE messages; -- \"\\\n\tok";
    const sent = await caller.send({ fromId: 1, toId: 2, content });
    assert.deepEqual([sent.fromId, sent.toId, sent.content], [1, 2, content]);
    assert.deepEqual(await caller.conversation({ viewerId: 2, peerId: 1 }), [sent]);
    assert.equal((await db.selectFrom('messages').selectAll().execute()).length, 1);
  });

  test(`unknown recipients, oneself and bad content are rejected; nothing is written (${mode})`, async (t) => {
    const { caller, db } = await setup(t);
    await assert.rejects(caller.send({ fromId: 1, toId: 99, content: 'x' }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.send({ fromId: 99, toId: 2, content: 'x' }), rejectsWith('NOT_FOUND', 'user_not_found'));
    await assert.rejects(caller.send({ fromId: 1, toId: 1, content: 'x' }), rejectsWith('BAD_REQUEST', 'self_action'));
    for (const content of ['', ' \u3000\n', 'x'.repeat(1001), 'a\u0000b', 'a\u001bb']) {
      await assert.rejects(caller.send({ fromId: 1, toId: 2, content }), rejectsWith('BAD_REQUEST'));
    }
    await caller.send({ fromId: 1, toId: 2, content: '😀'.repeat(1000) }); // 1000 code points, 2000 UTF-16 units
    await assert.rejects(caller.conversation({ viewerId: 1, peerId: 99 }), rejectsWith('NOT_FOUND', 'user_not_found'));
    assert.equal((await db.selectFrom('messages').selectAll().execute()).length, 1);
  });

  test(`sends in the same millisecond get unique, increasing create times per conversation (${mode})`, async (t) => {
    const { caller } = await setup(t, () => 5_000);
    const times = [];
    for (let i = 0; i < 4; i++) times.push((await caller.send({ fromId: i % 2 ? 1 : 2, toId: i % 2 ? 2 : 1, content: `m${i}` })).createTime);
    assert.deepEqual(times, [5_000, 5_001, 5_002, 5_003]);
    // Another conversation has its own clock.
    assert.equal((await caller.send({ fromId: 1, toId: 3, content: 'other' })).createTime, 5_000);
  });

  test(`chat: a first load is the conversation (its newest messages); a poll is what the peer sent after pre_msg_time (${mode})`, async (t) => {
    let clock = 1_700_000_000_000;
    const { caller } = await setup(t, () => clock++);
    const a1 = await caller.send({ fromId: 1, toId: 2, content: 'a1' });
    const b1 = await caller.send({ fromId: 2, toId: 1, content: 'b1' });
    const a2 = await caller.send({ fromId: 1, toId: 2, content: 'a2' });
    await caller.send({ fromId: 3, toId: 2, content: 'elsewhere' });
    assert.deepEqual(await caller.conversation({ viewerId: 1, peerId: 2 }), [a1, b1, a2]);
    assert.deepEqual(await caller.conversation({ viewerId: 1, peerId: 2, after: 0 }), [a1, b1, a2]);
    // The viewer's own messages never come back in a poll (the APK already shows them).
    assert.deepEqual(await caller.conversation({ viewerId: 2, peerId: 1, after: a1.createTime - 1 }), [a1, a2]);
    assert.deepEqual(await caller.conversation({ viewerId: 2, peerId: 1, after: a1.createTime }), [a2]);
    assert.deepEqual(await caller.conversation({ viewerId: 2, peerId: 1, after: a2.createTime }), []);
    // pre_msg_time in seconds is not converted (§6.6): as ms it lies in 1970, so the poll returns all the peer sent.
    assert.deepEqual(await caller.conversation({ viewerId: 2, peerId: 1, after: Math.floor(a2.createTime / 1000) }), [a1, a2]);
    // A first load holds the newest `limit` messages; a poll the oldest `limit` after pre_msg_time, so the next poll,
    // from the last of them, misses none.
    assert.deepEqual(await caller.conversation({ viewerId: 1, peerId: 2, limit: 2 }), [b1, a2]);
    assert.deepEqual(await caller.conversation({ viewerId: 2, peerId: 1, after: a1.createTime - 1, limit: 1 }), [a1]);
  });

  test(`a first load of a long conversation answers its newest ${LIST_MAX} messages, which fit one mesh answer at the longest (${mode})`, async (t) => {
    const { db, caller } = await setup(t);
    const longest = '😀'.repeat(MESSAGE_CONTENT.max); // four bytes a code point, the most a message holds
    const firstTime = Number.MAX_SAFE_INTEGER - LIST_MAX;
    const rows = Array.from({ length: LIST_MAX + 1 }, (_, i) => {
      const [from, to] = i % 2 === 0 ? [1, 2] : [2, 1];
      return { user_low: 1, user_high: 2, from_id: from, to_id: to, content: longest, create_time: firstTime + i };
    });
    for (let i = 0; i < rows.length; i += 250) await db.insertInto('messages').values(rows.slice(i, i + 250)).execute();
    const messages = await caller.conversation({ viewerId: 1, peerId: 2 });
    assert.equal(messages.length, LIST_MAX);
    assert.deepEqual([messages[0]!.createTime, messages.at(-1)!.createTime], [firstTime + 1, firstTime + LIST_MAX]);
    assert.ok(Buffer.byteLength(JSON.stringify({ id: Number.MAX_SAFE_INTEGER, status: 200, result: messages })) < MAX_FRAME_BYTES);
  });

  test(`a message is stamped once it can be written, not before it waited for the database (${mode})`, async (t) => {
    // One connection, held: the send waits for it as it would for a busy pool (or, on SQLite, for the write lock).
    const db = await freshSchema(t, mode, 1);
    const caller = callerFor(createRouter({ db, user: fakeUserLookup([1, 2]).user }));
    let release!: () => void;
    const held = db.connection().execute(() => new Promise<void>((resolve) => (release = resolve)));
    const asked = Date.now();
    const sending = caller.send({ fromId: 1, toId: 2, content: 'waited' });
    await sleep(500);
    release();
    await held;
    const { createTime } = await sending;
    assert.ok(createTime >= asked + 450, `stamped ${createTime - asked} ms after it was asked for, before its 500 ms wait`);
  });

  test(`concurrent senders in two instances and a poller: every message exactly once, in order (${mode})`, async (t) => {
    const { router, caller } = await setup(t, () => 42_000); // a frozen clock: every send in the same millisecond
    const [one, two] = [callerFor(router()), callerFor(router())];
    // The APK opens the chat with a first load (pre_msg_time 0), then polls with the largest create_time it saw.
    const opening = await one.send({ fromId: 1, toId: 2, content: 'hello' });
    const [first] = await caller.conversation({ viewerId: 2, peerId: 1, after: 0 });
    assert.deepEqual(first, opening);
    const received: number[] = [opening.id];
    let last = opening.createTime;
    let sending = true;
    const poll = async () => {
      const batch = await caller.conversation({ viewerId: 2, peerId: 1, after: last });
      for (const m of batch) {
        assert.ok(m.createTime > last, 'a poll never goes back in time');
        received.push(m.id);
        last = m.createTime;
      }
    };
    const poller = (async () => {
      while (sending) await poll();
    })();
    const sends = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).send({ fromId: i % 4 < 2 ? 1 : 2, toId: i % 4 < 2 ? 2 : 1, content: `m${i}` })),
    );
    sending = false;
    await poller;
    await poll();
    const all = [opening, ...sends];
    const fromOne = all.filter((m) => m.fromId === 1).sort((a, b) => a.createTime - b.createTime);
    assert.deepEqual(received, fromOne.map((m) => m.id));
    const times = all.map((m) => m.createTime).sort((a, b) => a - b);
    assert.deepEqual(times, Array.from({ length: 41 }, (_, i) => 42_000 + i));
    const history = await caller.conversation({ viewerId: 1, peerId: 2 });
    assert.deepEqual(history.map((m) => m.createTime), times);
  });

  test(`latest answers many conversations in one call with the direction (${mode})`, async (t) => {
    let clock = 1_000;
    const { caller } = await setup(t, () => clock++);
    await caller.send({ fromId: 1, toId: 2, content: 'to two' });
    const reply = await caller.send({ fromId: 2, toId: 1, content: 'from two' });
    const mine = await caller.send({ fromId: 1, toId: 3, content: 'to three' });
    const latest = await caller.latest({ userId: 1, peerIds: [2, 3, 4, 2] });
    assert.deepEqual(
      latest.sort((a, b) => a.peerId - b.peerId),
      [
        { peerId: 2, message: reply },
        { peerId: 3, message: mine },
      ],
    );
    assert.deepEqual(await caller.latest({ userId: 4, peerIds: [1] }), []);
  });

  test(`inbox returns what the users sent or received after a time, with the service clock (${mode})`, async (t) => {
    let clock = 10_000;
    const { caller } = await setup(t, () => clock++);
    const m1 = await caller.send({ fromId: 1, toId: 2, content: 'a' });
    const m2 = await caller.send({ fromId: 3, toId: 1, content: 'b' });
    await caller.send({ fromId: 3, toId: 4, content: 'not ours' });
    const { messages, now } = await caller.inbox({ userIds: [1], since: 0 });
    assert.deepEqual(messages, [m1, m2]);
    assert.equal(now, clock - 1);
    assert.deepEqual((await caller.inbox({ userIds: [2], since: m1.createTime })).messages, []);
  });

  test(`inbox reads by time from within a minute back and by user from further back, with the same answers (${mode})`, async (t) => {
    let clock = 1_700_000_000_000;
    const db = await freshSchema(t, mode);
    // Records every statement's tree: the inbox's names the index of the read it chose.
    const statements: string[] = [];
    const recorder: KyselyPlugin = {
      transformQuery: ({ node }) => {
        statements.push(JSON.stringify(node));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const caller = callerFor(createRouter({ db: db.withPlugin(recorder), user: fakeUserLookup([1, 2, 3, 4]).user, now: () => clock }));
    const m1 = await caller.send({ fromId: 1, toId: 2, content: 'a' });
    clock += INBOX_RECENT_MS + 10;
    const m2 = await caller.send({ fromId: 3, toId: 1, content: 'b' });
    const m3 = await caller.send({ fromId: 3, toId: 4, content: 'not ours' });
    const inbox = async (userIds: number[], since: number) => {
      statements.length = 0;
      const { messages } = await caller.inbox({ userIds, since });
      const byTime = statements.some((statement) => statement.includes('messages_by_time'));
      return [byTime ? 'by time' : 'by user', messages];
    };
    assert.deepEqual(await inbox([1], 0), ['by user', [m1, m2]]);
    assert.deepEqual(await inbox([1], m1.createTime - 1), ['by user', [m1, m2]]);
    assert.deepEqual(await inbox([1], clock - INBOX_RECENT_MS), ['by time', [m2]]); // exactly a minute back
    assert.deepEqual(await inbox([1], clock - INBOX_RECENT_MS - 1), ['by user', [m2]]);
    assert.deepEqual(await inbox([1, 4], m2.createTime - 1), ['by time', [m2, m3]]);
  });

  if (mode === 'mysql') {
    test('mysql: a send that fails inside its transaction leaves nothing behind and holds no lock', async (t) => {
      const { caller, db } = await setup(t, () => 7_000);
      const first = await caller.send({ fromId: 1, toId: 2, content: 'first' });
      // A row written around the clock takes the next create time: the send fails on its insert, after locking the
      // conversation row.
      await db.insertInto('messages').values({ user_low: 1, user_high: 2, from_id: 2, to_id: 1, content: 'planted', create_time: 7_001 }).execute();
      await assert.rejects(caller.send({ fromId: 1, toId: 2, content: 'lost' }));
      assert.deepEqual(await db.selectFrom('conversations').select(['last_time', 'last_message_id']).execute(), [{ last_time: 7_000, last_message_id: first.id }]);
      // A lock the failed call left open would be held by one pooled connection: of two, at least one would be refused.
      await db.connection().execute((one) =>
        db.connection().execute(async (other) => {
          for (const connection of [one, other]) await connection.selectFrom('conversations').select('last_time').forUpdate().noWait().execute();
        }),
      );
      await db.updateTable('conversations').set({ last_time: 7_001 }).execute();
      const next = await caller.send({ fromId: 1, toId: 2, content: 'next' });
      assert.equal(next.createTime, 7_002);
      assert.deepEqual((await db.selectFrom('messages').select('content').orderBy('create_time').execute()).map((r) => r.content), ['first', 'planted', 'next']);
    });
  }
}
