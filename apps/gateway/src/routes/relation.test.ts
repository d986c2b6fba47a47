import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ID_BATCH_MAX } from '@douyin/contracts';
import { socialGateway } from '../../test/social-gateway.js';

const ACTION = '/douyin/relation/action/';

test('follow and unfollow are idempotent and show in counts, lists and is_follow', async (t) => {
  const { call, register } = await socialGateway(t);
  const [ann, bob] = [await register('ann'), await register('bob')];
  for (let i = 0; i < 2; i++) {
    assert.equal((await call('POST', ACTION, { token: ann.token, to_user_id: bob.user_id, action_type: 1 })).status_code, 0);
  }
  const following = await call('GET', '/douyin/relation/follow/list/', { user_id: ann.user_id, token: ann.token });
  assert.equal(following.status_code, 0);
  assert.deepEqual(following.user_list.map((u: { id: number }) => u.id), [bob.user_id]);
  assert.deepEqual([following.user_list[0].is_follow, following.user_list[0].follower_count], [true, 1]);
  const anonymous = await call('GET', '/douyin/relation/follower/list/', { user_id: bob.user_id, token: 'garbage' });
  assert.deepEqual(anonymous.user_list.map((u: { id: number; is_follow: boolean; follow_count: number }) => [u.id, u.is_follow, u.follow_count]), [
    [ann.user_id, false, 1],
  ]);
  for (let i = 0; i < 2; i++) {
    assert.equal((await call('POST', ACTION, { token: ann.token, to_user_id: bob.user_id, action_type: 2 })).status_code, 0);
  }
  assert.deepEqual((await call('GET', '/douyin/relation/follow/list/', { user_id: ann.user_id })).user_list, []);
});

test('relation/action bad input: status codes in the contract check order', async (t) => {
  const { call, register, app } = await socialGateway(t);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const code = async (query: Record<string, string | number>) => {
    const body = await call('POST', ACTION, query);
    assert.deepEqual(Object.keys(body).sort(), ['status_code', 'status_msg']);
    return body.status_code;
  };
  assert.equal(await code({ to_user_id: 'abc', action_type: 9 }), 40101);
  assert.equal(await code({ token: 'garbage', to_user_id: bob.user_id, action_type: 1 }), 40102);
  const auth = { token: ann.token };
  assert.equal(await code({ ...auth, action_type: 1 }), 40001);
  assert.equal(await code({ ...auth, to_user_id: '', action_type: 1 }), 40001);
  for (const bad of ['abc', '1.5', '-1', '0', '1e3', '9007199254740992']) assert.equal(await code({ ...auth, to_user_id: bad, action_type: 1 }), 40002, bad);
  assert.equal(await code({ ...auth, to_user_id: bob.user_id }), 40001);
  for (const bad of ['0', '3', 'x', '1.0', '01']) assert.equal(await code({ ...auth, to_user_id: bob.user_id, action_type: bad }), 40004, bad);
  assert.equal(await code({ ...auth, to_user_id: 999, action_type: 3 }), 40004); // format before existence
  assert.equal(await code({ ...auth, to_user_id: 999, action_type: 1 }), 40401);
  assert.equal(await code({ ...auth, to_user_id: 999, action_type: 2 }), 40401);
  assert.equal(await code({ ...auth, to_user_id: ann.user_id, action_type: 1 }), 40007);
  // Parameters also arrive as a form body (the demo tests send them twice).
  const form = await app.inject({
    method: 'POST',
    url: ACTION,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `token=${ann.token}&to_user_id=${bob.user_id}&action_type=1`,
  });
  assert.equal(form.json().status_code, 0);
});

test('follow and follower lists: most recent first, unknown or missing user_id, one facts call per page', async (t) => {
  const { call, register, relation } = await socialGateway(t);
  const [ann, bob, cat, dan] = [await register('ann'), await register('bob'), await register('cat'), await register('dan')];
  for (const fan of [bob, cat, dan]) await call('POST', ACTION, { token: fan.token, to_user_id: ann.user_id, action_type: 1 });
  relation.calls.length = 0;
  const followers = await call('GET', '/douyin/relation/follower/list', { user_id: ann.user_id });
  assert.deepEqual(followers.user_list.map((u: { name: string }) => u.name), ['dan', 'cat', 'bob']);
  assert.equal(relation.calls.length, 1);
  assert.equal((await call('GET', '/douyin/relation/follow/list/', { user_id: 999 })).status_code, 40401);
  const missing = await call('GET', '/douyin/relation/follower/list/', {});
  assert.deepEqual([missing.status_code, missing.user_list], [40001, []]);
  assert.equal((await call('GET', '/douyin/relation/follow/list/', { user_id: 'x' })).status_code, 40002);
});

test('friend list: mutual follows, latest message and msgType, ordered by latest message then id', async (t) => {
  let clock = 1_000;
  const { call, register, message, relation } = await socialGateway(t, () => clock++);
  const [me, bob, cat, dan, eve] = [await register('me'), await register('bob'), await register('cat'), await register('dan'), await register('eve')];
  for (const other of [bob, cat, dan, eve]) {
    await call('POST', ACTION, { token: me.token, to_user_id: other.user_id, action_type: 1 });
    if (other !== eve) await call('POST', ACTION, { token: other.token, to_user_id: me.user_id, action_type: 1 });
  }
  const send = (from: typeof me, to: typeof me, content: string) =>
    call('POST', '/douyin/message/action/', { token: from.token, to_user_id: to.user_id, action_type: 1, content });
  await send(me, bob, 'old');
  await send(cat, me, 'hi from cat');
  await send(bob, me, 'bob replied');
  await send(me, bob, 'latest to bob');
  await send(me, eve, 'eve is no friend');
  message.calls.length = 0;
  relation.calls.length = 0;
  const body = await call('GET', '/douyin/relation/friend/list/', { token: me.token, user_id: me.user_id });
  assert.equal(body.status_code, 0);
  assert.deepEqual(
    body.user_list.map((u: { name: string; message: string; msgType: number; is_follow: boolean }) => [u.name, u.message, u.msgType, u.is_follow]),
    [
      ['bob', 'latest to bob', 1, true],
      ['cat', 'hi from cat', 0, true],
      ['dan', '', 0, true],
    ],
  );
  assert.equal(body.user_list[0].follower_count, 1);
  assert.deepEqual(message.calls, [`latest:${dan.user_id},${cat.user_id},${bob.user_id}`]); // friends come most recently followed first
  // A friend is followed by definition: their is_follow needs no question, which could fail and show false.
  assert.deepEqual(relation.calls.filter((c) => c.startsWith('followedAmong')), []);
});

test('a friend list longer than a batch keeps every latest message, every is_follow and the order', async (t) => {
  const { call, register, message } = await socialGateway(t);
  const me = await register('me');
  const friends = [];
  for (let i = 0; i <= ID_BATCH_MAX; i++) {
    const friend = await register(`friend${i}`);
    await call('POST', ACTION, { token: me.token, to_user_id: friend.user_id, action_type: 1 });
    await call('POST', ACTION, { token: friend.token, to_user_id: me.user_id, action_type: 1 });
    friends.push(friend);
  }
  const last = friends.at(-1)!;
  await call('POST', '/douyin/message/action/', { token: last.token, to_user_id: me.user_id, action_type: 1, content: 'from the last' });
  message.calls.length = 0;
  const body = await call('GET', '/douyin/relation/friend/list/', { token: me.token });
  assert.equal(body.status_code, 0);
  assert.equal(body.user_list.length, ID_BATCH_MAX + 1);
  assert.deepEqual([body.user_list[0].id, body.user_list[0].message], [last.user_id, 'from the last']);
  assert.ok(body.user_list.every((u: { is_follow: boolean }) => u.is_follow));
  assert.equal(message.calls.length, 2, 'the latest messages asked in two batches');
});

test('friend list: token required; another user_id is 40301, an unknown one 40401', async (t) => {
  const { call, register } = await socialGateway(t);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const noToken = await call('GET', '/douyin/relation/friend/list/', { user_id: ann.user_id });
  assert.deepEqual([noToken.status_code, noToken.user_list], [40101, []]);
  assert.equal((await call('GET', '/douyin/relation/friend/list/', { token: ann.token, user_id: bob.user_id })).status_code, 40301);
  assert.equal((await call('GET', '/douyin/relation/friend/list/', { token: ann.token, user_id: 999 })).status_code, 40401);
  assert.deepEqual((await call('GET', '/douyin/relation/friend/list/', { token: ann.token })).user_list, []);
});
