import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INBOX_LIMIT, INBOX_RECENT_MS, type InboxInput, type Message } from '@douyin/contracts';
import { currentScope, runInScope } from '@douyin/mesh';
import { ServiceMetrics } from '@douyin/metrics';
import { silentLogger } from '@douyin/telemetry';
import { until } from '../test/processes.js';
import { createChatHub, pollsFor, type ChatHubOptions } from './chat-hub.js';

const NOW = 1_800_000_000_000;
const OLD = NOW - 10 * INBOX_RECENT_MS;

test('pollsFor asks caught-up and far-behind subscriptions apart, each from its earliest, at most 500 users a call', () => {
  const subs = [
    ...Array.from({ length: 700 }, (_, i) => ({ userId: i + 1, since: NOW - 5_000 + (i % 3) })),
    { userId: 7, since: NOW - 6_000 }, // a second connection of a caught-up user joins that user's call
    { userId: 7, since: OLD }, // a third, far behind, does not
    { userId: 9_001, since: OLD + 1 },
  ];
  const polls = pollsFor(subs, NOW);
  assert.deepEqual(
    polls.map((p) => [new Set(p.subs.map((s) => s.userId)).size, p.subs.length, p.since]),
    [
      [500, 501, NOW - 6_000],
      [200, 200, NOW - 5_000],
      [2, 2, OLD],
    ],
  );
  // Every subscription is in exactly one call.
  const byUserThenSince = (a: (typeof subs)[number], b: (typeof subs)[number]) => a.userId - b.userId || a.since - b.since;
  assert.deepEqual(polls.flatMap((p) => p.subs).sort(byUserThenSince), [...subs].sort(byUserThenSince));
  assert.deepEqual(pollsFor([], NOW), []);
});

/**
 * An inbox over a fixed list of messages that records what it was asked, fails for users in `failing`, and answers
 * only once `answering` has resolved.
 */
function fakeInbox(messages: Message[], failing = new Set<number>(), answering: Promise<void> = Promise.resolve()) {
  const asked: InboxInput[] = [];
  const message = {
    inbox: {
      query: async (input: InboxInput) => {
        asked.push(input);
        await answering;
        if (input.userIds.some((id) => failing.has(id))) throw new Error('message service down');
        const users = new Set(input.userIds);
        // As the service answers: oldest first, INBOX_LIMIT and the rest of the last one's millisecond.
        const found = messages.filter((m) => m.createTime > input.since && (users.has(m.fromId) || users.has(m.toId)));
        found.sort((a, b) => a.createTime - b.createTime || a.id - b.id);
        const lastTime = found.length > INBOX_LIMIT ? found[INBOX_LIMIT - 1]!.createTime : Infinity;
        return { messages: found.filter((m, i) => i < INBOX_LIMIT || m.createTime === lastTime), now: Date.now() };
      },
    },
  } as unknown as ChatHubOptions['message'];
  return { message, asked };
}

const listener = () => {
  const delivered: string[] = [];
  return { delivered, deliver: (m: Message) => void delivered.push(m.content), end: () => undefined };
};


test("every connection gets exactly its own user's messages, oldest first, once across overlapping polls", async (t) => {
  const now = Date.now();
  const users = Array.from({ length: 40 }, (_, i) => i + 1);
  const messages: Message[] = Array.from({ length: 400 }, (_, i) => ({
    id: i + 1,
    fromId: users[i % 40]!,
    toId: users[(i * 7 + 3) % 40]!,
    content: `m${i + 1}`,
    createTime: now - 3_000 + i,
  })).filter((m) => m.fromId !== m.toId);
  const { message, asked } = fakeInbox(messages);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5 });
  t.after(() => hub.close());
  const connections = [...users, 1].map((userId) => ({ userId, received: listener() }));
  for (const { userId, received } of connections) hub.subscribe(userId, now - 4_000, received);
  await until('three polls of overlapping windows', () => asked.length >= 3); // each later poll answers the same messages again
  for (const { userId, received } of connections) {
    const own = messages.filter((m) => m.fromId === userId || m.toId === userId).map((m) => m.content);
    assert.deepEqual(received.delivered, own, `user ${userId}`);
  }
});

test('a connection opened far back gets its history in its own call, then joins the caught-up users', async (t) => {
  const now = Date.now();
  const messages: Message[] = [
    { id: 1, fromId: 2, toId: 1, content: 'last year', createTime: now - 365 * 86_400_000 },
    { id: 2, fromId: 3, toId: 2, content: 'just now', createTime: now - 1_000 },
  ];
  const { message, asked } = fakeInbox(messages);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 10 });
  t.after(() => hub.close());
  const [live, history] = [listener(), listener()];
  hub.subscribe(2, now - 2_000, live);
  hub.subscribe(1, 0, history);
  await until('four polls', () => asked.length >= 4);
  assert.deepEqual(live.delivered, ['just now']);
  assert.deepEqual(history.delivered, ['last year']);
  // First tick: the live user from its own time, the far-behind one apart; from then on both in one recent call.
  assert.deepEqual(asked.slice(0, 2).map((a) => [a.userIds, a.since]), [[[2], now - 2_000], [[1], 0]]);
  const later = asked.slice(2, 4);
  assert.deepEqual(later.map((a) => a.userIds), [[2, 1], [2, 1]]);
  for (const { since } of later) assert.ok(since >= now - INBOX_RECENT_MS, `${since}`);
});

test('a full answer is followed by the next page in the same tick, up to four pages; the rest comes a tick later', async (t) => {
  const now = Date.now();
  // Two users, messages faster than a page a tick: 4.5 pages' worth within the window, a few sharing each millisecond.
  const count = INBOX_LIMIT * 4 + INBOX_LIMIT / 2;
  const messages: Message[] = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    fromId: 1 + (i % 2),
    toId: 2 - (i % 2),
    content: `m${i + 1}`,
    createTime: now - 4_000 + Math.floor(i / 3),
  }));
  const { message, asked } = fakeInbox(messages);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 1_000 });
  t.after(() => hub.close());
  const received = listener();
  hub.subscribe(1, now - 5_000, received);
  await until('the first tick\'s four pages', () => asked.length >= 4 && received.delivered.length >= INBOX_LIMIT * 4 - 3);
  assert.equal(asked.length, 4, 'four pages, then the tick ends');
  // Each page ends with its last millisecond's three messages, completed by the service, and the next starts after it.
  assert.deepEqual(asked.map((a) => a.since - (now - 4_000)), [-1_000, 333, 667, 1_001]);
  await until('the next tick', () => received.delivered.length === count);
  assert.deepEqual(received.delivered, messages.map((m) => m.content), 'every message once, oldest first');
});

test('a connection that ends while its first page is delivered is asked no further page', async (t) => {
  const now = Date.now();
  const messages: Message[] = Array.from({ length: INBOX_LIMIT * 2 }, (_, i) => ({
    id: i + 1,
    fromId: 1,
    toId: 2,
    content: `m${i + 1}`,
    createTime: now - 4_000 + i,
  }));
  const { message, asked } = fakeInbox(messages);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5 });
  t.after(() => hub.close());
  let delivered = 0;
  const subscription = hub.subscribe(1, now - 5_000, {
    deliver: () => {
      if (++delivered === 1) subscription.unsubscribe();
    },
    end: () => undefined,
  });
  await until('the first page', () => delivered > 0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(asked.length, 1, 'one full page asked, then nothing for a connection that has ended');
});

test('between full reads each tick asks from recentMs before the previous read; every fullEveryMs the whole window', async (t) => {
  const calls: Array<{ since: number; now: number }> = [];
  const message = {
    inbox: {
      query: async ({ since }: InboxInput) => {
        const now = Date.now();
        calls.push({ since, now });
        return { messages: [], now };
      },
    },
  } as unknown as ChatHubOptions['message'];
  const [windowMs, recentMs] = [1_000, 20];
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5, windowMs, fullEveryMs: 200, recentMs });
  t.after(() => hub.close());
  const opened = Date.now() - windowMs;
  hub.subscribe(1, opened, listener());
  await until('three full reads', () => calls.filter((c) => c.since < c.now - windowMs + recentMs).length >= 3);
  hub.close();
  // The first read is from the connection's start; a full read slides it to its answer's time less the window.
  let after = opened;
  const kinds = calls.map(({ since, now }, i) => {
    if (since === after) {
      after = Math.max(after, now - windowMs);
      return 'full';
    }
    assert.equal(since, calls[i - 1]!.now - recentMs, `call ${i}: neither the whole window nor from the previous read`);
    return 'short';
  });
  const fulls = kinds.filter((k) => k === 'full').length;
  assert.ok(kinds.length - fulls > fulls, `${fulls} full reads of ${kinds.length}: the reads in between should be short`);
});

test('a message committed long after its create time is still delivered once, by the next full read', async (t) => {
  const now = Date.now();
  const messages: Message[] = [{ id: 1, fromId: 2, toId: 1, content: 'first', createTime: now - 500 }];
  const { message, asked } = fakeInbox(messages);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5, windowMs: 2_000, fullEveryMs: 100, recentMs: 20 });
  t.after(() => hub.close());
  const received = listener();
  hub.subscribe(1, now - 1_000, received);
  await until('the first message', () => received.delivered.length === 1);
  // Created before the first read, committed only now: older than any short read looks.
  messages.push({ id: 2, fromId: 1, toId: 3, content: 'late', createTime: now - 400 });
  const askedBefore = asked.length;
  await until('the late message', () => received.delivered.length === 2);
  assert.ok(asked.length - askedBefore > 1, 'found by a full read after short ones');
  const settled = asked.length;
  await until('more reads, full ones among them', () => asked.length >= settled + 30);
  assert.deepEqual(received.delivered, ['first', 'late']);
});

test('only a read of the whole window gives up on what it did not find: a short read leaves the start where it was', async (t) => {
  const start = Date.now();
  const opened = start - 1_000;
  const messages: Message[] = [];
  const calls: number[] = [];
  const message = {
    inbox: {
      // The service's clock runs 2 s ahead for the short reads (from after the connection's start): one sliding the
      // start by its clock would pass over a message committed late. The full reads answer with the real time.
      query: async ({ since }: InboxInput) => {
        calls.push(since);
        return { messages: messages.filter((m) => m.createTime > since), now: since <= opened ? start : start + 2_000 };
      },
    },
  } as unknown as ChatHubOptions['message'];
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5, windowMs: 1_000, fullEveryMs: 50, recentMs: 20 });
  t.after(() => hub.close());
  const received = listener();
  hub.subscribe(1, opened, received);
  await until('short reads', () => calls.filter((since) => since > opened).length >= 3);
  messages.push({ id: 1, fromId: 2, toId: 1, content: 'late', createTime: start + 100 });
  await until('the late message', () => received.delivered.length === 1);
  assert.deepEqual(received.delivered, ['late']);
});

test('a connection opened between full reads is read from its own start, oldest first, not from the short window', async (t) => {
  const now = Date.now();
  const messages: Message[] = [
    { id: 1, fromId: 3, toId: 2, content: 'older', createTime: now - 2_000 },
    { id: 2, fromId: 2, toId: 3, content: 'newer', createTime: now - 10 },
  ];
  const { message, asked } = fakeInbox(messages);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5, fullEveryMs: 60_000, recentMs: 20 });
  t.after(() => hub.close());
  hub.subscribe(1, now - 1_000, listener());
  await until('short reads', () => asked.length >= 3);
  const late = listener();
  hub.subscribe(2, now - 3_000, late);
  await until('its messages', () => late.delivered.length === 2);
  assert.deepEqual(late.delivered, ['older', 'newer']);
  assert.equal(asked.find((a) => a.userIds.includes(2))!.since, now - 3_000);
});

test('a failing call leaves the other calls of the tick delivering, and is retried', async (t) => {
  const now = Date.now();
  const messages: Message[] = [
    { id: 1, fromId: 2, toId: 1, content: 'to the live user', createTime: now - 1_000 },
    { id: 2, fromId: 3, toId: 4, content: 'to the one behind', createTime: now - 2 * INBOX_RECENT_MS },
  ];
  const failing = new Set([4]);
  const { message, asked } = fakeInbox(messages, failing);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 10 });
  t.after(() => hub.close());
  const [live, behind] = [listener(), listener()];
  hub.subscribe(1, now - 2_000, live);
  hub.subscribe(4, 0, behind);
  await until('a delivery and two failed calls', () => live.delivered.length > 0 && asked.filter((a) => a.userIds.includes(4)).length >= 2);
  assert.deepEqual(live.delivered, ['to the live user']);
  assert.deepEqual(behind.delivered, []);
  failing.clear();
  await until('the retried call to deliver', () => behind.delivered.length > 0);
  assert.deepEqual(behind.delivered, ['to the one behind']);
  assert.deepEqual(live.delivered, ['to the live user']);
});

test('a user opening more than connectionsPerUser connections ends the oldest; other users keep theirs', async (t) => {
  const now = Date.now();
  const messages: Message[] = [{ id: 1, fromId: 2, toId: 1, content: 'hello', createTime: now - 1_000 }];
  const { message } = fakeInbox(messages);
  const metrics = new ServiceMetrics('push_test');
  const hub = createChatHub({ message, logger: silentLogger(), metrics, intervalMs: 5, connectionsPerUser: 2 });
  t.after(() => hub.close());
  const ended: string[] = [];
  const connection = (name: string) => {
    const l = listener();
    return { ...l, end: (why: string) => void ended.push(`${name} ${why}`) };
  };
  const [first, second, third, peer] = [connection('first'), connection('second'), connection('third'), connection('peer')];
  hub.subscribe(2, now - 2_000, peer);
  const firstSubscription = hub.subscribe(1, now - 2_000, first);
  hub.subscribe(1, now - 2_000, second);
  assert.deepEqual(ended, []);
  hub.subscribe(1, now - 2_000, third);
  assert.deepEqual(ended, ['first replaced']);
  firstSubscription.unsubscribe(); // the route's close handler runs after the end: nothing else is ended
  await until('the remaining connections to receive', () => [second, third, peer].every((l) => l.delivered.length > 0));
  assert.deepEqual([first.delivered, second.delivered, third.delivered, peer.delivered], [[], ['hello'], ['hello'], ['hello']]);
  const value = async (metric: { get(): Promise<{ values: Array<{ value: number }> }> }) => (await metric.get()).values[0]?.value;
  assert.deepEqual([await value(metrics.pushConnections), await value(metrics.pushReplaced), await value(metrics.pushDelivered)], [3, 1, 3]);
  hub.close();
  assert.deepEqual(ended.sort(), ['first replaced', 'peer closing', 'second closing', 'third closing']);
  assert.equal(await value(metrics.pushConnections), 0);
});

test('a connection that subscribes after the hub closed is ended at once, and nothing polls for it', async () => {
  const { message, asked } = fakeInbox([]);
  const metrics = new ServiceMetrics('push_closed_test');
  const hub = createChatHub({ message, logger: silentLogger(), metrics, intervalMs: 5 });
  hub.close();
  // A push request whose token was still being checked when the gateway began to stop: left open, it would hold
  // the server's close until the forced exit.
  const ended: string[] = [];
  const subscription = hub.subscribe(1, Date.now(), { ...listener(), end: (why) => void ended.push(why) });
  assert.deepEqual(ended, ['closing']);
  subscription.unsubscribe();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(asked, []);
  assert.equal((await metrics.pushConnections.get()).values[0]?.value ?? 0, 0);
});

test('a connection replaced while a poll is out gets nothing after its end', async (t) => {
  const now = Date.now();
  let answer = () => {};
  const answering = new Promise<void>((resolve) => (answer = resolve));
  const { message, asked } = fakeInbox([{ id: 1, fromId: 2, toId: 1, content: 'hello', createTime: now - 1_000 }], new Set(), answering);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5, connectionsPerUser: 1 });
  t.after(() => hub.close());
  const [first, second] = [listener(), listener()];
  hub.subscribe(1, now - 2_000, first);
  await until('the first poll to be out', () => asked.length === 1); // it asks for the first connection
  hub.subscribe(1, now - 2_000, second);
  answer();
  await until('the newer connection to receive', () => second.delivered.length > 0);
  assert.deepEqual([first.delivered, second.delivered], [[], ['hello']]);
});

test('a message published by this gateway reaches its sender and recipient at once, and the polls skip it', async (t) => {
  const now = Date.now();
  const m: Message = { id: 7, fromId: 2, toId: 1, content: 'sent here', createTime: now };
  const { message, asked } = fakeInbox([m]);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5 });
  t.after(() => hub.close());
  const [ones, onesOther, twos, threes, later] = [listener(), listener(), listener(), listener(), listener()];
  hub.subscribe(1, now - 1_000, ones);
  hub.subscribe(1, now - 1_000, onesOther);
  hub.subscribe(2, now - 1_000, twos);
  hub.subscribe(3, now - 1_000, threes);
  hub.subscribe(1, now, later); // opened with since = the message's time: not after it
  hub.publish(m);
  hub.publish(m);
  assert.deepEqual([ones, onesOther, twos, threes, later].map((l) => l.delivered), [['sent here'], ['sent here'], ['sent here'], [], []]);
  await until('three polls', () => asked.length >= 3); // polls that answer the same message again
  assert.deepEqual([ones, onesOther, twos, threes, later].map((l) => l.delivered), [['sent here'], ['sent here'], ['sent here'], [], []]);
});

test('the poll loop belongs to no request: the deadline of the one that opened the first connection does not reach it', async (t) => {
  const scopes: unknown[] = [];
  const message = {
    inbox: {
      query: async () => {
        scopes.push(currentScope());
        return { messages: [], now: Date.now() };
      },
    },
  } as unknown as ChatHubOptions['message'];
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5 });
  t.after(() => hub.close());
  runInScope({ requestId: 'push-1', deadline: Date.now() + 1 }, () => hub.subscribe(1, Date.now(), listener()));
  await until('two polls', () => scopes.length >= 2);
  assert.deepEqual(scopes.slice(0, 2), [undefined, undefined]);
});

test('a connection whose reads keep failing while messages reach it through this gateway is ended past seenLimit, not left to grow', async (t) => {
  const now = Date.now();
  const { message, asked } = fakeInbox([], new Set([1]));
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5, seenLimit: 3 });
  t.after(() => hub.close());
  const ended: string[] = [];
  const lagging = { ...listener(), end: (why: string) => void ended.push(why) };
  hub.subscribe(1, now - 1_000, lagging);
  await until('a failed poll', () => asked.length > 0);
  const sent = (id: number): Message => ({ id, fromId: 2, toId: 1, content: `m${id}`, createTime: now + id });
  for (let id = 1; id <= 5; id++) hub.publish(sent(id));
  assert.deepEqual(lagging.delivered, ['m1', 'm2', 'm3', 'm4'], 'delivered until it held more than 3, then nothing');
  assert.deepEqual(ended, ['lagging']);
  // Its client reconnects from the last message it has, and is served again.
  const again = listener();
  hub.subscribe(1, now + 4, again);
  hub.publish(sent(6));
  assert.deepEqual(again.delivered, ['m6']);
});

test('the full reads keep their rhythm when the wall clock steps back', async (t) => {
  const realNow = Date.now();
  // The message service's clock, not stepped: the polls in between read from shortly before its last answer.
  const serviceNow = () => realNow + performance.now();
  const asked: number[] = [];
  const message = {
    inbox: { query: async ({ since }: InboxInput) => (asked.push(since), { messages: [], now: serviceNow() }) },
  } as unknown as ChatHubOptions['message'];
  // Within the window for the test's length: the full reads do not slide it, and keep asking from here.
  const opened = serviceNow() - 4_000;
  t.mock.method(Date, 'now', () => realNow - 3_600_000); // the gateway's wall clock stepped an hour back
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5, fullEveryMs: 50 });
  t.after(() => hub.close());
  hub.subscribe(1, opened, listener());
  // Only a full read asks from the connection's start; the others from a second before the previous answer. (Waited
  // for on the monotonic clock: `until` reads the stepped one.)
  const fullReads = () => asked.filter((since) => since === opened).length;
  const giveUpAt = performance.now() + 500;
  while (fullReads() < 3 && performance.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(fullReads() >= 3, `full reads: ${fullReads()} of ${asked.length} in half a second, one every 50 ms due`);
  assert.ok(asked.some((since) => since > opened), 'the polls in between read from later on');
});

test('where a connection resumes moves on as its window slides, and stays below every message it has yet to deliver', async (t) => {
  const opened = Date.now() - 1_000;
  const messages: Message[] = [];
  const { message } = fakeInbox(messages);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5, windowMs: 50, fullEveryMs: 10 });
  t.after(() => hub.close());
  const delivered: Array<{ content: string; resumeFrom: number }> = [];
  const subscription = hub.subscribe(1, opened, { deliver: (m, resumeFrom) => void delivered.push({ content: m.content, resumeFrom }), end: () => undefined });
  assert.equal(subscription.resumeFrom(), opened, 'nothing read yet: from where it was opened');
  await until('the window to slide', () => subscription.resumeFrom() > opened);

  // Stamped now, committed a little later (within the window): a connection resumed meanwhile must still get it.
  const stamped = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(subscription.resumeFrom() < stamped, `resumes from ${subscription.resumeFrom()}, past a message stamped ${stamped}`);
  messages.push({ id: 1, fromId: 2, toId: 1, content: 'late', createTime: stamped });
  await until('the late commit to arrive', () => delivered.length === 1);
  assert.equal(delivered[0]!.content, 'late');
  assert.ok(delivered[0]!.resumeFrom < stamped, 'its own event names a point before it');
  await until('the window to pass it', () => subscription.resumeFrom() >= stamped);
});

test("which connections are caught up is judged by the message service's clock, not by a gateway clock that is off", async (t) => {
  const realNow = Date.now();
  const serviceNow = () => realNow + performance.now();
  const asked: InboxInput[] = [];
  const message = {
    inbox: { query: async (input: InboxInput) => (asked.push(input), { messages: [], now: serviceNow() }) },
  } as unknown as ChatHubOptions['message'];
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5 });
  t.after(() => hub.close());
  hub.subscribe(1, serviceNow() - 1_000, listener());
  await until('a first answer', () => asked.length > 0);
  t.mock.method(Date, 'now', () => realNow + 3_600_000); // the gateway's clock an hour ahead
  const before = asked.length;
  hub.subscribe(2, serviceNow() - 600_000, listener()); // reconnected from ten minutes back
  // Its first read, from its own start, is asked apart from the caught-up connection's. (Waited for on the monotonic
  // clock: `until` reads the mocked one.)
  const apart = () => asked.slice(before).some((input) => input.userIds.join() === '2');
  const giveUpAt = performance.now() + 1_000;
  while (!apart() && performance.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(apart(), `the connection behind was asked apart: ${JSON.stringify(asked.slice(before, before + 4))}`);
});

test('a millisecond holding more than a page of messages does not hold the poll there', async (t) => {
  const now = Date.now();
  const crowded = now - 3_000;
  // One message per conversation in that millisecond (a conversation's create times are unique), then one after it.
  const messages: Message[] = [
    ...Array.from({ length: INBOX_LIMIT + 200 }, (_, i) => ({ id: i + 1, fromId: 100 + i, toId: 1, content: `crowded ${i}`, createTime: crowded })),
    { id: INBOX_LIMIT + 201, fromId: 2, toId: 1, content: 'after', createTime: crowded + 1 },
  ];
  const { message } = fakeInbox(messages);
  const hub = createChatHub({ message, logger: silentLogger(), intervalMs: 5 });
  t.after(() => hub.close());
  const received = listener();
  hub.subscribe(1, now - 4_000, received);
  await until('every message', () => received.delivered.length === messages.length);
  assert.equal(received.delivered.at(-1), 'after');
});
