import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, interactionGateway } from '../../test/interaction-gateway.js';

const ACTION = '/douyin/favorite/action/';
const LIST = '/douyin/favorite/list/';

test('like is idempotent and shows on the feed, the favorite list and both users', async (t) => {
  const { app, videos, register } = await interactionGateway(t);
  const alice = await register('alice');
  const bob = await register('bob');
  const first = videos.add(alice.user_id, 'first');
  const second = videos.add(alice.user_id, 'second');
  for (const videoId of [second.id, first.id, first.id]) {
    assert.deepEqual(await call(app, 'POST', ACTION, { token: bob.token, video_id: videoId, action_type: 1 }), { status_code: 0, status_msg: 'success' });
  }
  const liked = await call(app, 'GET', LIST, { user_id: bob.user_id, token: bob.token });
  assert.equal(liked.status_code, 0);
  // Most recently liked first; a repeated like does not move a video.
  assert.deepEqual(liked.video_list.map((v: { id: number }) => v.id), [first.id, second.id]);
  assert.deepEqual(
    liked.video_list.map((v: { favorite_count: number; is_favorite: boolean; comment_count: number }) => [v.favorite_count, v.is_favorite, v.comment_count]),
    [[1, true, 0], [1, true, 0]],
  );
  assert.equal(liked.video_list[0].author.total_favorited, 2);
  // is_favorite is relative to the viewer, not to user_id.
  const asAlice = await call(app, 'GET', LIST, { user_id: bob.user_id, token: alice.token });
  assert.deepEqual(asAlice.video_list.map((v: { is_favorite: boolean }) => v.is_favorite), [false, false]);
  const anonymous = await call(app, 'GET', LIST, { user_id: bob.user_id });
  assert.equal(anonymous.video_list[0].is_favorite, false);
  const profile = (await call(app, 'GET', '/douyin/user/', { user_id: bob.user_id })).user;
  assert.equal(profile.favorite_count, 2);

  await call(app, 'POST', ACTION, { token: bob.token, video_id: first.id, action_type: 2 });
  await call(app, 'POST', ACTION, { token: bob.token, video_id: first.id, action_type: 2 });
  const after = await call(app, 'GET', LIST, { user_id: bob.user_id, token: bob.token });
  assert.deepEqual(after.video_list.map((v: { id: number }) => v.id), [second.id]);
  const feed = await call(app, 'GET', '/douyin/feed/', { token: bob.token });
  assert.deepEqual(
    feed.video_list.map((v: { id: number; favorite_count: number; is_favorite: boolean }) => [v.id, v.favorite_count, v.is_favorite]),
    [[second.id, 1, true], [first.id, 0, false]],
  );
});

test('a page costs one call per service, whatever its length', async (t) => {
  const { app, videos, favorite, comment, register } = await interactionGateway(t);
  const alice = await register('alice');
  for (let i = 0; i < 12; i++) {
    const video = videos.add(alice.user_id, `v${i}`);
    await call(app, 'POST', ACTION, { token: alice.token, video_id: video.id, action_type: 1 });
  }
  favorite.calls.length = 0;
  comment.calls.length = 0;
  videos.calls.length = 0;
  const body = await call(app, 'GET', LIST, { user_id: alice.user_id, token: alice.token });
  assert.equal(body.video_list.length, 12);
  assert.deepEqual(favorite.calls.sort(), ['likedAmong', 'likedVideos', 'userFacts', 'videoFacts']);
  assert.deepEqual(comment.calls, ['counts']);
  assert.deepEqual(videos.calls, ['byIds']);
});

test("lists built at the same time share the video service's byIds call, each showing its own videos", async (t) => {
  const { app, videos, favorite, register } = await interactionGateway(t);
  const [alice, bob] = [await register('alice'), await register('bob')];
  // Lookups merge within one turn of the event loop, and the token check before them finishes off the main thread,
  // whenever it does: the two lists' liked ids are answered together, so both reach the video lookup in one turn.
  const likedVideos = favorite.client.likedVideos.query;
  const held: Array<() => void> = [];
  favorite.client.likedVideos.query = (async (input: { userId: number }) => {
    const ids = await likedVideos(input);
    await new Promise<void>((release) => {
      held.push(release);
      if (held.length === 2) for (const next of held) next();
    });
    return ids;
  }) as typeof likedVideos;
  const liked = async (who: { token: string }, count: number) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const video = videos.add(alice.user_id, `v${i}`);
      await call(app, 'POST', ACTION, { token: who.token, video_id: video.id, action_type: 1 });
      ids.unshift(video.id);
    }
    return ids;
  };
  const [alicesLikes, bobsLikes] = [await liked(alice, 3), await liked(bob, 2)];
  videos.calls.length = 0;
  const [a, b] = await Promise.all([
    call(app, 'GET', LIST, { user_id: alice.user_id, token: alice.token }),
    call(app, 'GET', LIST, { user_id: bob.user_id, token: alice.token }),
  ]);
  assert.deepEqual(videos.calls, ['byIds']);
  assert.deepEqual(a.video_list.map((v: { id: number }) => v.id), alicesLikes);
  assert.deepEqual(b.video_list.map((v: { id: number }) => v.id), bobsLikes);
});

test('bad input gets the contract status code in the check order, and nothing is liked', async (t) => {
  const { app, videos, favorite, register } = await interactionGateway(t);
  const alice = await register('alice');
  const video = videos.add(alice.user_id, 'v');
  const cases: Array<[Record<string, string | number>, number]> = [
    [{ video_id: video.id, action_type: 1 }, 40101],
    [{ token: 'garbage', video_id: video.id, action_type: 1 }, 40102],
    [{ token: 'garbage', video_id: 'abc', action_type: 3 }, 40102],
    [{ token: alice.token, action_type: 1 }, 40001],
    [{ token: alice.token, video_id: video.id }, 40001],
    [{ token: alice.token, video_id: video.id, action_type: '' }, 40001],
    [{ token: alice.token, video_id: 'abc', action_type: 1 }, 40002],
    [{ token: alice.token, video_id: '1.5', action_type: 1 }, 40002],
    [{ token: alice.token, video_id: '-1', action_type: 1 }, 40002],
    [{ token: alice.token, video_id: '0', action_type: 1 }, 40002],
    [{ token: alice.token, video_id: '9007199254740992', action_type: 1 }, 40002],
    [{ token: alice.token, video_id: "1' OR '1'='1", action_type: 1 }, 40002],
    [{ token: alice.token, video_id: video.id, action_type: 3 }, 40004],
    [{ token: alice.token, video_id: video.id, action_type: 0 }, 40004],
    [{ token: alice.token, video_id: video.id, action_type: 'x' }, 40004],
    [{ token: alice.token, video_id: 'abc', action_type: 3 }, 40002],
    [{ token: alice.token, video_id: 999, action_type: 1 }, 40402],
    [{ token: alice.token, video_id: 999, action_type: 2 }, 40402],
  ];
  for (const [params, status] of cases) {
    const body = await call(app, 'POST', ACTION, params);
    assert.equal(body.status_code, status, JSON.stringify(params));
    assert.ok(body.status_msg.length > 0);
  }
  assert.deepEqual(favorite.likes(), []);
  for (const [params, status] of [
    [{}, 40001],
    [{ user_id: 'abc' }, 40002],
    [{ user_id: 999 }, 40401],
  ] as const) {
    const body = await call(app, 'GET', LIST, params);
    assert.deepEqual(body, { status_code: status, status_msg: body.status_msg, video_list: [] });
  }
});
