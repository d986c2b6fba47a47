import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { createTokenIssuer } from '@douyin/auth';
import { metricsFor } from '@douyin/metrics';
import { socialGateway, type Account } from '../../test/social-gateway.js';
import { SECRET } from '../../test/harness.js';
import { until } from '../../test/processes.js';
import { readEvents } from '../../test/sse.js';

const ACTION = '/douyin/message/action/';
const CHAT = '/douyin/message/chat/';

test('message/action bad input: status codes in the contract check order; nothing is stored', async (t) => {
  const { call, register, message } = await socialGateway(t);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const code = async (query: Record<string, string | number>) => (await call('POST', ACTION, query)).status_code;
  const ok = { token: ann.token, to_user_id: bob.user_id, action_type: 1, content: 'hi' };
  assert.equal(await code({ ...ok, token: '' }), 40101);
  assert.equal(await code({ ...ok, token: 'x.y.z' }), 40102);
  assert.equal(await code({ ...ok, to_user_id: '' }), 40001);
  for (const bad of ['abc', '-2', '2.0', '99999999999999999999']) assert.equal(await code({ ...ok, to_user_id: bad }), 40002, bad);
  for (const bad of ['2', '0', 'send']) assert.equal(await code({ ...ok, action_type: bad }), 40004, bad);
  assert.equal(await code({ ...ok, content: '' }), 40001); // present but empty is absent
  for (const bad of [' \t\n', '\u3000', 'x'.repeat(1001), '😀'.repeat(1001), 'a\u0000b', 'a\u0007b']) {
    assert.equal(await code({ ...ok, content: bad }), 40003, JSON.stringify(bad.slice(0, 8)));
  }
  assert.equal(await code({ ...ok, to_user_id: 999, action_type: 5 }), 40004);
  assert.equal(await code({ ...ok, to_user_id: 999 }), 40401);
  assert.equal(await code({ ...ok, to_user_id: ann.user_id }), 40007);
  assert.equal(message.messages.length, 0);
  assert.equal(await code({ ...ok, content: '😀'.repeat(1000) }), 0);
  assert.equal(await code({ ...ok, content: ' line one\n\tline two ' }), 0);
  assert.deepEqual(message.messages.map((m) => m.content), ['😀'.repeat(1000), ' line one\n\tline two ']);
});

test('message/chat: first load is the whole conversation, a poll only what the peer sent after pre_msg_time', async (t) => {
  let clock = 1_700_000_000_000;
  const { call, register } = await socialGateway(t, () => clock);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const send = (from: Account, to: Account, content: string) => call('POST', ACTION, { token: from.token, to_user_id: to.user_id, action_type: 1, content });
  // Same millisecond for all three: create times stay unique and increasing.
  await send(ann, bob, 'a1');
  await send(bob, ann, 'b1');
  await send(ann, bob, 'a2');
  const first = await call('GET', CHAT, { token: bob.token, to_user_id: ann.user_id });
  assert.equal(first.status_code, 0);
  assert.deepEqual(first.message_list, [
    { id: 1, to_user_id: bob.user_id, from_user_id: ann.user_id, content: 'a1', create_time: clock },
    { id: 2, to_user_id: ann.user_id, from_user_id: bob.user_id, content: 'b1', create_time: clock + 1 },
    { id: 3, to_user_id: bob.user_id, from_user_id: ann.user_id, content: 'a2', create_time: clock + 2 },
  ]);
  assert.deepEqual((await call('GET', CHAT, { token: bob.token, to_user_id: ann.user_id, pre_msg_time: '' })).message_list, first.message_list);
  assert.deepEqual((await call('GET', CHAT, { token: bob.token, to_user_id: ann.user_id, pre_msg_time: 0 })).message_list, first.message_list);
  const poll = await call('GET', CHAT, { token: bob.token, to_user_id: ann.user_id, pre_msg_time: clock });
  assert.deepEqual(poll.message_list.map((m: { content: string }) => m.content), ['a2']);
  assert.deepEqual((await call('GET', CHAT, { token: ann.token, to_user_id: bob.user_id, pre_msg_time: clock + 2 })).message_list, []);
  // pre_msg_time in seconds is not converted (§6.6): it is a time in 1970, so the poll returns all ann ever sent bob.
  const seconds = await call('GET', CHAT, { token: bob.token, to_user_id: ann.user_id, pre_msg_time: Math.floor(clock / 1000) });
  assert.deepEqual(seconds.message_list.map((m: { content: string }) => m.content), ['a1', 'a2']);
});

test('message/chat bad input', async (t) => {
  const { call, register } = await socialGateway(t);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const body = await call('GET', CHAT, { to_user_id: bob.user_id });
  assert.deepEqual(body, { status_code: 40101, status_msg: body.status_msg, message_list: [] });
  assert.equal((await call('GET', CHAT, { token: ann.token })).status_code, 40001);
  assert.equal((await call('GET', CHAT, { token: ann.token, to_user_id: 'bob' })).status_code, 40002);
  for (const bad of ['-1', '1.5', 'abc', '1e12', '9223372036854775808']) {
    assert.equal((await call('GET', CHAT, { token: ann.token, to_user_id: bob.user_id, pre_msg_time: bad })).status_code, 40002, bad);
  }
  // An int64 past 2^53−1 is a time after every message: nothing to return.
  await call('POST', '/douyin/message/action/', { token: bob.token, to_user_id: ann.user_id, action_type: 1, content: 'hi' });
  const late = await call('GET', CHAT, { token: ann.token, to_user_id: bob.user_id, pre_msg_time: '9223372036854775807' });
  assert.deepEqual([late.status_code, late.message_list], [0, []]);
  assert.equal((await call('GET', CHAT, { token: ann.token, to_user_id: 999 })).status_code, 40401);
});

test('push channel: the token is checked like any route; messages arrive as server-sent events, each once', async (t) => {
  const { app, call, register } = await socialGateway(t);
  const [ann, bob] = [await register('ann'), await register('bob')];
  assert.equal((await call('GET', '/douyin/message/push/', {})).status_code, 40101);
  assert.equal((await call('GET', '/douyin/message/push/', { token: 'garbage' })).status_code, 40102);

  await call('POST', ACTION, { token: ann.token, to_user_id: bob.user_id, action_type: 1, content: 'before the stream' });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const res = await fetch(`${base}/douyin/message/push/?token=${bob.token}`);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const events = readEvents(res.body!);
  for (const content of ['one', 'two']) await call('POST', ACTION, { token: ann.token, to_user_id: bob.user_id, action_type: 1, content });
  await call('POST', ACTION, { token: bob.token, to_user_id: ann.user_id, action_type: 1, content: 'mine' });
  const got = [await events.next(), await events.next(), await events.next()];
  assert.deepEqual(got.map((m) => [m.from_user_id, m.content]), [[ann.user_id, 'one'], [ann.user_id, 'two'], [bob.user_id, 'mine']]);
  // Later polls of the same window deliver nothing again.
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal(events.pending(), 0);
  await app.close(); // ends open streams instead of waiting for them
  assert.equal(await events.ended, true);
});

test('push channel: a connection ends when its token expires, saying so; the user logs in again', { timeout: 10_000 }, async (t) => {
  const { app, call, register } = await socialGateway(t);
  const [ann, bob] = [await register('ann'), await register('bob')];
  // Bob's token, issued by the gateway's key an hour less three seconds ago: it expires in two to three seconds.
  const expiring = await createTokenIssuer({ secret: SECRET, ttlSeconds: 3600, now: () => Date.now() - 3_597_000 }).issue(bob.user_id);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const events = readEvents((await fetch(`${base}/douyin/message/push/?token=${expiring}`)).body!);
  await call('POST', ACTION, { token: ann.token, to_user_id: bob.user_id, action_type: 1, content: 'while it holds' });
  assert.equal((await events.next()).content, 'while it holds');
  assert.equal(await events.ended, true);
  assert.deepEqual(events.closedWith(), { status_code: 40102, status_msg: 'token expired, please log in again' });
  await call('POST', ACTION, { token: ann.token, to_user_id: bob.user_id, action_type: 1, content: 'after it expired' });
  assert.equal(events.pending(), 0);
  assert.equal((await call('GET', '/douyin/message/push/', { token: expiring })).status_code, 40102);
});

test('push channel: a client resumes from the id of the last frame it got, missing no message that arrived out of order', { timeout: 10_000 }, async (t) => {
  const { app, call, register, message } = await socialGateway(t);
  const [ann, bob, cat] = [await register('ann'), await register('bob'), await register('cat')];
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const first = new AbortController();
  const events = readEvents((await fetch(`${base}/douyin/message/push/?token=${bob.token}`, { signal: first.signal })).body!);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await call('POST', ACTION, { token: ann.token, to_user_id: bob.user_id, action_type: 1, content: 'sent here' });
  const pushed = await events.next();
  assert.equal(pushed.content, 'sent here');
  const resumeFrom = events.lastId();
  assert.match(resumeFrom ?? '', /^\d+$/, 'every event carries an id');
  first.abort();
  // A message stored through another gateway, stamped before the one pushed here but committed after the connection
  // ended: resuming from the pushed message's create_time would skip it for ever.
  message.messages.push({ id: 1_000, fromId: cat.user_id, toId: bob.user_id, content: 'committed late', createTime: pushed.create_time - 1 });
  assert.ok(Number(resumeFrom) < pushed.create_time - 1);

  // EventSource sends Last-Event-ID on its own, on the URL it first opened: the header wins over that `since`.
  const headers = { 'last-event-id': resumeFrom! };
  const resumed = readEvents((await fetch(`${base}/douyin/message/push/?token=${bob.token}&since=${pushed.create_time}`, { headers })).body!);
  const got = [await resumed.next(), await resumed.next()];
  assert.deepEqual(got.map((m) => m.content), ['committed late', 'sent here'], 'oldest first; the repeat is merged by id');
  const bad = await app.inject({ method: 'GET', url: `/douyin/message/push/?token=${bob.token}`, headers: { 'last-event-id': 'yesterday' } });
  assert.equal(bad.json().status_code, 40002);
  await app.close();
});

test("push channel: with no since, a connection starts from now on the message service's clock, not the gateway's", { timeout: 10_000 }, async (t) => {
  const serviceNow = () => Date.now() - 60_000; // the message service's host a minute behind the gateway's
  const { app, register, message } = await socialGateway(t, serviceNow);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  // Someone's connection has the hub polling, and so knowing the service's clock.
  readEvents((await fetch(`${base}/douyin/message/push/?token=${ann.token}`)).body!);
  await until('a poll', () => message.calls.includes('inbox'));
  const events = readEvents((await fetch(`${base}/douyin/message/push/?token=${bob.token}`)).body!);
  await new Promise((resolve) => setTimeout(resolve, 20));
  // Stored through another gateway just after bob connected, stamped by the service's clock.
  message.messages.push({ id: 1_000, fromId: ann.user_id, toId: bob.user_id, content: 'just after', createTime: serviceNow() });
  assert.equal((await events.next()).content, 'just after');
  await app.close();
});

test("push channel: the first connection to a gateway that just started starts from the message service's clock too", { timeout: 10_000 }, async (t) => {
  const serviceNow = () => Date.now() - 60_000; // the message service's host a minute behind the gateway's
  const { app, register, message } = await socialGateway(t, serviceNow);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const events = readEvents((await fetch(`${base}/douyin/message/push/?token=${bob.token}`)).body!);
  // Stored through another gateway just after bob connected, stamped by the service's clock.
  message.messages.push({ id: 1_000, fromId: ann.user_id, toId: bob.user_id, content: 'just after', createTime: serviceNow() });
  assert.equal((await events.next()).content, 'just after');
  await app.close();
});

test("push channel: a user's connection beyond PUSH_CONNECTIONS_PER_USER ends the oldest, saying why", { timeout: 10_000 }, async (t) => {
  const { app, call, register } = await socialGateway(t, undefined, 2);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const open = async (token: string) => readEvents((await fetch(`${base}/douyin/message/push/?token=${token}`)).body!);
  const [oldest, newer, anns] = [await open(bob.token), await open(bob.token), await open(ann.token)];
  const newest = await open(bob.token);
  assert.equal(await oldest.ended, true);
  assert.deepEqual(oldest.closedWith(), { status_code: 42901, status_msg: 'too many push connections for this user: a newer one replaced this one' });
  await call('POST', ACTION, { token: ann.token, to_user_id: bob.user_id, action_type: 1, content: 'still here' });
  for (const events of [newer, newest, anns]) assert.equal((await events.next()).content, 'still here');
  assert.equal(oldest.pending(), 0);
  await app.close();
  for (const events of [newer, newest, anns]) {
    assert.equal(await events.ended, true);
    assert.equal(events.closedWith(), undefined); // a gateway going away is not a reason to stay away
  }
});

test('push channel: a client that stops reading is cut once a megabyte waits unsent for it; the others keep theirs', { timeout: 20_000 }, async (t) => {
  const { app, call, register } = await socialGateway(t);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const metrics = metricsFor('gateway');
  const value = async (metric: { get(): Promise<{ values: Array<{ value: number }> }> }) => (await metric.get()).values[0]?.value ?? 0;
  const stalledBefore = await value(metrics.pushStalled);
  // bob's phone reads the response's start, then nothing more.
  const stalled = connect(Number(new URL(base).port), '127.0.0.1');
  t.after(() => stalled.destroy());
  stalled.write(`GET /douyin/message/push/?token=${bob.token} HTTP/1.1\r\nHost: gateway\r\n\r\n`);
  await once(stalled, 'data');
  stalled.pause();
  const anns = readEvents((await fetch(`${base}/douyin/message/push/?token=${ann.token}`)).body!);
  await until('both connected', async () => (await value(metrics.pushConnections)) === 2);

  // 4 kB a message. The kernel takes several megabytes first (a socket's send buffer grows up to tcp_wmem's maximum,
  // 4 MB on Linux by default), then the gateway's own queue fills.
  const content = '😀'.repeat(1000);
  let sent = 0;
  while ((await value(metrics.pushConnections)) === 2 && sent < 4_000) {
    assert.equal((await call('POST', ACTION, { token: ann.token, to_user_id: bob.user_id, action_type: 1, content })).status_code, 0);
    sent++;
    // Injected requests settle in microtasks: without a turn of the event loop, as requests arriving over sockets
    // give it, the ended connection's close (and so its unsubscribe) would never be seen inside this loop.
    await nextLoopTurn();
  }
  assert.equal(await value(metrics.pushConnections), 1, `bob still connected after ${sent} messages`);
  assert.equal((await value(metrics.pushStalled)) - stalledBefore, 1);
  for (let i = 0; i < sent; i++) assert.equal((await anns.next()).content, content); // ann, reading, got every one
  await app.close();
});

test('push channel: a connection whose request carried a body is unsubscribed when its client leaves', { timeout: 10_000 }, async (t) => {
  const { app, register } = await socialGateway(t);
  const bob = await register('bob');
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const metrics = metricsFor('gateway');
  const connections = async () => (await metrics.pushConnections.get()).values[0]?.value ?? 0;
  // A Content-Type makes the gateway read the (empty) body first, so the request itself has closed by the handler.
  const phone = connect(Number(new URL(base).port), '127.0.0.1');
  t.after(() => phone.destroy());
  phone.write(`GET /douyin/message/push/?token=${bob.token} HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n`);
  await once(phone, 'data');
  await until('connected', async () => (await connections()) === 1);
  phone.destroy();
  await until('the subscription to end with its connection', async () => (await connections()) === 0);
  await app.close();
});
