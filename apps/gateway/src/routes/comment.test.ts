import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteError } from '../../test/harness.js';
import { call, interactionGateway } from '../../test/interaction-gateway.js';

const ACTION = '/douyin/comment/action/';
const LIST = '/douyin/comment/list/';

test('add returns the comment verbatim with the commenter and MM-DD; the list is newest first', async (t) => {
  const { app, videos, register, setClock } = await interactionGateway(t);
  const alice = await register('alice');
  const bob = await register('bob');
  const video = videos.add(alice.user_id, 'v');
  const text = "Robert'); DROP TABLE comments;-- \\ % _ \" <b>&amp;</b> 😀👍🏽 抖音\nline two";
  const added = await call(app, 'POST', ACTION, { token: bob.token, video_id: video.id, action_type: 1, comment_text: text });
  assert.equal(added.status_code, 0);
  assert.equal(added.comment.content, text);
  assert.equal(added.comment.user.id, bob.user_id);
  assert.equal(added.comment.user.name, 'bob');
  // 16:30 UTC on 05-01 is already 05-02 in Shanghai (the default zone).
  assert.equal(added.comment.create_date, '05-02');
  setClock(Date.UTC(2025, 11, 31, 12));
  const later = await call(app, 'POST', ACTION, { token: alice.token, video_id: video.id, action_type: 1, comment_text: '😀'.repeat(500) });
  assert.equal(later.comment.create_date, '12-31');

  const list = await call(app, 'GET', LIST, { video_id: video.id, token: alice.token });
  assert.deepEqual(list.comment_list.map((c: { id: number }) => c.id), [later.comment.id, added.comment.id]);
  assert.equal(list.comment_list[1].content, text);
  assert.deepEqual(Object.keys(list.comment_list[0]).sort(), ['content', 'create_date', 'id', 'user']);
  const feed = await call(app, 'GET', '/douyin/feed/', {});
  assert.equal(feed.video_list[0].comment_count, 2);
});

test('a comment saved or deleted while profiles cannot be loaded is answered as done: a retry would post it twice', async (t) => {
  const { app, users, videos, comment, register } = await interactionGateway(t);
  const bob = await register('bob');
  const video = videos.add(bob.user_id, 'v');
  users.client.byIds.query = async () => Promise.reject(remoteError('SERVICE_UNAVAILABLE', 'database_unavailable'));
  const added = await call(app, 'POST', ACTION, { token: bob.token, video_id: video.id, action_type: 1, comment_text: 'hi' });
  assert.equal(added.status_code, 0);
  assert.deepEqual([added.comment.content, added.comment.user.id], ['hi', bob.user_id]);
  assert.equal(comment.comments.length, 1);
  // A read changes nothing: it still fails, to be retried.
  assert.notEqual((await call(app, 'GET', LIST, { video_id: video.id })).status_code, 0);
  const removed = await call(app, 'POST', ACTION, { token: bob.token, video_id: video.id, action_type: 2, comment_id: added.comment.id });
  assert.deepEqual([removed.status_code, removed.comment.id], [0, added.comment.id]);
  assert.equal(comment.comments.length, 0);
});

test('create_date follows the configured time zone', async (t) => {
  const { app, videos, register } = await interactionGateway(t, { timeZone: 'UTC' });
  const alice = await register('alice');
  const video = videos.add(alice.user_id, 'v');
  const added = await call(app, 'POST', ACTION, { token: alice.token, video_id: video.id, action_type: 1, comment_text: 'hi' });
  assert.equal(added.comment.create_date, '05-01');
});

test('only the author deletes, once; the deleted comment is returned and leaves the list', async (t) => {
  const { app, videos, register } = await interactionGateway(t);
  const alice = await register('alice');
  const bob = await register('bob');
  const video = videos.add(alice.user_id, 'v');
  const other = videos.add(alice.user_id, 'w');
  const { comment } = await call(app, 'POST', ACTION, { token: bob.token, video_id: video.id, action_type: 1, comment_text: 'mine' });
  const remove = (token: string, videoId: number, commentId: number | string) =>
    call(app, 'POST', ACTION, { token, video_id: videoId, action_type: 2, comment_id: commentId });
  assert.equal((await remove(alice.token, video.id, comment.id)).status_code, 40301); // not even the video's author
  assert.equal((await remove(bob.token, other.id, comment.id)).status_code, 40403); // on another video
  assert.equal((await remove(bob.token, 999, comment.id)).status_code, 40402);
  assert.equal((await remove(bob.token, video.id, 999)).status_code, 40403);
  const removed = await remove(bob.token, video.id, comment.id);
  assert.equal(removed.status_code, 0);
  assert.deepEqual(removed.comment, comment);
  const again = await remove(bob.token, video.id, comment.id);
  assert.equal(again.status_code, 40403);
  assert.deepEqual(again.comment, { id: 0, user: again.comment.user, content: '', create_date: '' });
  assert.equal(again.comment.user.id, 0);
  assert.deepEqual((await call(app, 'GET', LIST, { video_id: video.id })).comment_list, []);
});

test('bad input gets the contract status code in the check order, and nothing is stored', async (t) => {
  const { app, videos, comment, register } = await interactionGateway(t);
  const alice = await register('alice');
  const video = videos.add(alice.user_id, 'v');
  const add = { token: alice.token, video_id: video.id, action_type: 1 };
  const cases: Array<[Record<string, string | number>, number]> = [
    [{ video_id: video.id, action_type: 1, comment_text: 'x' }, 40101],
    [{ token: 'garbage', video_id: video.id, action_type: 1, comment_text: 'x' }, 40102],
    [{ token: alice.token, action_type: 1, comment_text: 'x' }, 40001],
    [{ token: alice.token, video_id: video.id, comment_text: 'x' }, 40001],
    [{ token: alice.token, video_id: 'abc', action_type: 1, comment_text: 'x' }, 40002],
    [{ token: alice.token, video_id: '12abc', action_type: 1, comment_text: 'x' }, 40002],
    [{ token: alice.token, video_id: '9007199254740992', action_type: 1, comment_text: 'x' }, 40002],
    [{ token: alice.token, video_id: video.id, action_type: 3, comment_text: 'x' }, 40004],
    [{ token: alice.token, video_id: video.id, action_type: 'add', comment_text: 'x' }, 40004],
    [add, 40001],
    [{ ...add, comment_text: '' }, 40001],
    [{ ...add, comment_text: '   ' }, 40003],
    [{ ...add, comment_text: '\u3000\n\t' }, 40003],
    [{ ...add, comment_text: 'x'.repeat(501) }, 40003],
    [{ ...add, comment_text: '😀'.repeat(501) }, 40003],
    [{ ...add, comment_text: 'nul\u0000byte' }, 40003],
    [{ ...add, comment_text: 'escape\u001b[31m' }, 40003],
    [{ ...add, video_id: 999, comment_text: 'x' }, 40402],
    [{ token: alice.token, video_id: video.id, action_type: 2 }, 40001],
    [{ token: alice.token, video_id: video.id, action_type: 2, comment_id: 'abc' }, 40002],
    [{ token: alice.token, video_id: video.id, action_type: 2, comment_id: '0' }, 40002],
    [{ token: alice.token, video_id: video.id, action_type: 2, comment_id: 12345 }, 40403],
  ];
  for (const [params, status] of cases) {
    const body = await call(app, 'POST', ACTION, params);
    assert.equal(body.status_code, status, JSON.stringify(params).slice(0, 120));
    assert.equal(body.comment.id, 0);
  }
  assert.deepEqual(comment.comments, []);
  for (const [params, status] of [
    [{}, 40001],
    [{ video_id: 'x' }, 40002],
    [{ video_id: 999 }, 40402],
  ] as const) {
    const body = await call(app, 'GET', LIST, params);
    assert.deepEqual(body, { status_code: status, status_msg: body.status_msg, comment_list: [] });
  }
});

test('comment text may come from a urlencoded body, verbatim', async (t) => {
  const { app, videos, register } = await interactionGateway(t);
  const alice = await register('alice');
  const video = videos.add(alice.user_id, 'v');
  const text = 'a + b = c & 100% ✓';
  const res = await app.inject({
    method: 'POST',
    url: ACTION,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ token: alice.token, video_id: String(video.id), action_type: '1', comment_text: text }).toString(),
  });
  assert.equal(res.json().comment.content, text);
});
