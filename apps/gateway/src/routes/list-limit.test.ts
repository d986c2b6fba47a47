import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, interactionGateway } from '../../test/interaction-gateway.js';
import { socialGateway } from '../../test/social-gateway.js';

const idsOf = (list: Array<{ id: number }>) => list.map((entry) => entry.id);

test('favorite, publish and comment lists answer their newest LIST_LIMIT entries', async (t) => {
  const { app, videos, register } = await interactionGateway(t, { listLimit: 2 });
  const [alice, bob] = [await register('alice'), await register('bob')];
  const published = ['one', 'two', 'three'].map((title) => videos.add(alice.user_id, title));
  for (const video of published) await call(app, 'POST', '/douyin/favorite/action/', { token: bob.token, video_id: video.id, action_type: 1 });
  const [one, two, three] = published.map((video) => video.id);
  const liked = await call(app, 'GET', '/douyin/favorite/list/', { user_id: bob.user_id, token: bob.token });
  assert.deepEqual(idsOf(liked.video_list), [three, two]);
  const own = await call(app, 'GET', '/douyin/publish/list/', { user_id: alice.user_id, token: bob.token });
  assert.deepEqual(idsOf(own.video_list), [three, two]);
  const comments = [];
  for (const text of ['first', 'second', 'third']) {
    comments.push((await call(app, 'POST', '/douyin/comment/action/', { token: bob.token, video_id: one!, action_type: 1, comment_text: text })).comment.id);
  }
  const listed = await call(app, 'GET', '/douyin/comment/list/', { video_id: one!, token: bob.token });
  assert.deepEqual(idsOf(listed.comment_list), [comments[2], comments[1]]);
});

test('follow, follower and friend lists and a chat first load answer their newest LIST_LIMIT entries', async (t) => {
  const { call, register } = await socialGateway(t, undefined, undefined, 2);
  const [ann, bob, cat, dan] = [await register('ann'), await register('bob'), await register('cat'), await register('dan')];
  for (const other of [bob, cat, dan]) {
    await call('POST', '/douyin/relation/action/', { token: ann.token, to_user_id: other.user_id, action_type: 1 });
    await call('POST', '/douyin/relation/action/', { token: other.token, to_user_id: ann.user_id, action_type: 1 });
  }
  const newest = [dan.user_id, cat.user_id];
  for (const path of ['/douyin/relation/follow/list/', '/douyin/relation/follower/list/']) {
    assert.deepEqual(idsOf((await call('GET', path, { user_id: ann.user_id, token: ann.token })).user_list), newest, path);
  }
  const friends = await call('GET', '/douyin/relation/friend/list/', { user_id: ann.user_id, token: ann.token });
  assert.deepEqual(idsOf(friends.user_list).sort(), [...newest].sort());
  for (const content of ['a', 'b', 'c']) await call('POST', '/douyin/message/action/', { token: ann.token, to_user_id: bob.user_id, action_type: 1, content });
  const chat = await call('GET', '/douyin/message/chat/', { token: bob.token, to_user_id: ann.user_id, pre_msg_time: 0 });
  assert.deepEqual(chat.message_list.map((m: { content: string }) => m.content), ['b', 'c']);
});
