import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { fakeUserService, gatewayFor, remoteError } from '../../test/harness.js';
import { MEDIA_BASE, fakeVideoService, testMedia } from '../../test/video-fakes.js';
import type { UserItems } from '@douyin/contracts';
import type { FactsSources } from '../views/facts.js';
import type { VideoExtras } from '../apk.js';
import { feedBefore } from './feed.js';

type After = { after(fn: () => unknown): void };

async function setup(t: After, opts: { feedPageSize?: number; videoFacts?: FactsSources<VideoExtras> } = {}) {
  const users = fakeUserService();
  const byIdsCalls: number[][] = [];
  const user = {
    ...users.client,
    byIds: { query: async (input: { userIds: number[] }) => (byIdsCalls.push(input.userIds), users.client.byIds.query(input)) },
  } as typeof users.client;
  const media = await testMedia(t);
  const videos = fakeVideoService(media.store);
  const app = await gatewayFor(t, user, undefined, undefined, {}, { video: videos.client, media, ...opts });
  const register = async (name: string) =>
    (await app.inject({ method: 'POST', url: `/douyin/user/register/?username=${name}&password=secret1` })).json() as { user_id: number; token: string };
  return { app, videos, byIdsCalls, register };
}

const feed = async (app: FastifyInstance, query = '') => (await app.inject({ method: 'GET', url: `/douyin/feed/${query}` })).json();

test('latest_time: ms as given, seconds from old clients times 1000, 0 or absent = no bound', () => {
  assert.equal(feedBefore(undefined), undefined);
  assert.equal(feedBefore(0), undefined);
  assert.equal(feedBefore(1_700_000_000_000), 1_700_000_000_000);
  assert.equal(feedBefore(1_700_000_000), 1_700_000_000_000);
  assert.equal(feedBefore(99_999_999_999), 99_999_999_999_000);
  assert.equal(feedBefore(100_000_000_000), 100_000_000_000);
});

test('the feed pages with next_time without overlap or gap, anonymously; an exhausted feed restarts at now', async (t) => {
  const { app, videos, register } = await setup(t, { feedPageSize: 3 });
  const alice = await register('alice');
  for (let i = 0; i < 7; i++) videos.add(alice.user_id, `v${i}`);
  const seen: string[] = [];
  let query = '';
  for (let page = 0; page < 3; page++) {
    const body = await feed(app, query);
    assert.equal(body.status_code, 0);
    assert.ok(body.video_list.length <= 3);
    seen.push(...body.video_list.map((v: { title: string }) => v.title));
    const oldest = videos.videos.find((v) => v.title === body.video_list.at(-1).title)!;
    assert.equal(body.next_time, oldest.publishedAt);
    query = `?latest_time=${body.next_time}`;
  }
  assert.deepEqual(seen, ['v6', 'v5', 'v4', 'v3', 'v2', 'v1', 'v0']);
  const before = Date.now();
  const empty = await feed(app, query);
  assert.deepEqual(empty.video_list, []);
  assert.ok(empty.next_time >= before && empty.next_time <= Date.now());
  // Seconds from an old client become ms; read as ms they would be 1970 and match nothing.
  const seconds = Math.floor(videos.videos[3]!.publishedAt / 1000) + 1;
  assert.equal((await feed(app, `?latest_time=${seconds}`)).video_list.length, 3);
  assert.equal((await feed(app, '?latest_time=0')).video_list.length, 3);
  assert.equal((await feed(app, '?latest_time=')).video_list.length, 3);
});

test('videos carry their author, absolute media URLs and zero facts by default', async (t) => {
  const { app, videos, register } = await setup(t);
  const bob = await register('bob');
  const video = videos.add(bob.user_id, '标题 😀');
  const [item] = (await feed(app, `?token=${bob.token}`)).video_list;
  assert.deepEqual(item, {
    id: video.id,
    author: { id: bob.user_id, name: 'bob', follow_count: 0, follower_count: 0, is_follow: false, avatar: `${MEDIA_BASE}/static/avatar.png`, background_image: `${MEDIA_BASE}/static/background.png`, signature: '', total_favorited: 0, work_count: 0, favorite_count: 0 },
    play_url: `${MEDIA_BASE}/media/${video.videoKey}`,
    cover_url: `${MEDIA_BASE}/media/${video.coverKey}`,
    favorite_count: 0,
    comment_count: 0,
    is_favorite: false,
    title: '标题 😀',
  });
});

/** A favorite service's two sources, counting their calls: favorite_count = id × 10, and viewer `liker` likes every video. */
function favoriteSources(likerOf: () => number | undefined) {
  const countCalls: Array<readonly number[]> = [];
  const markCalls: Array<readonly UserItems[]> = [];
  const sources: FactsSources<VideoExtras> = {
    shared: [
      {
        name: 'favorite',
        load: async (ids) => (countCalls.push(ids), new Map(ids.map((id) => [id, { favoriteCount: id * 10 }]))),
      },
    ],
    marks: [
      {
        name: 'favorite',
        mark: { isFavorite: true },
        load: async (questions) => (markCalls.push(questions), questions.map(({ userId, ids }) => ({ userId, ids: userId === likerOf() ? ids : [] }))),
      },
    ],
  };
  return { sources, countCalls, markCalls };
}

test('a page costs one user call and one call per facts source, whatever its size; a failing source shows zeros', async (t) => {
  let liker: number | undefined;
  const favorite = favoriteSources(() => liker);
  const broken = { name: 'comment', load: async () => Promise.reject(remoteError('SERVICE_UNAVAILABLE')) };
  const { app, videos, byIdsCalls, register } = await setup(t, { videoFacts: { shared: [...favorite.sources.shared, broken], marks: favorite.sources.marks } });
  const authors = await Promise.all(['u1', 'u2', 'u3', 'u4'].map(register));
  liker = authors[0]!.user_id;
  for (let i = 0; i < 30; i++) videos.add(authors[i % 4]!.user_id, `v${i}`);
  byIdsCalls.length = 0;
  const body = await feed(app, `?token=${authors[0]!.token}`);
  assert.equal(body.video_list.length, 30);
  assert.equal(byIdsCalls.length, 1);
  assert.equal(byIdsCalls[0]!.length, 4);
  assert.deepEqual(favorite.countCalls.map((ids) => ids.length), [30]);
  assert.equal(favorite.markCalls.length, 1);
  assert.deepEqual(favorite.markCalls[0]!.map((q) => [q.userId, q.ids.length]), [[authors[0]!.user_id, 30]]);
  for (const v of body.video_list) {
    assert.equal(v.favorite_count, v.id * 10);
    assert.equal(v.is_favorite, true);
    assert.equal(v.comment_count, 0);
  }
});

test('pages built at the same time share their lookups; viewers are asked about their own pages only', async (t) => {
  let liker: number | undefined;
  const favorite = favoriteSources(() => liker);
  const { app, videos, byIdsCalls, register } = await setup(t, { videoFacts: favorite.sources });
  const authors = await Promise.all(['u1', 'u2', 'u3'].map(register));
  liker = authors[0]!.user_id;
  const added = Array.from({ length: 10 }, (_, i) => videos.add(authors[i % 3]!.user_id, `v${i}`));
  byIdsCalls.length = 0;
  videos.calls.length = 0;
  const pages = await Promise.all(Array.from({ length: 8 }, () => feed(app)));
  assert.deepEqual(videos.calls, ['feed'], 'one feed call for eight pages');
  assert.equal(byIdsCalls.length, 1, 'one profile call for eight pages');
  assert.equal(favorite.countCalls.length, 1, 'one counts call for eight pages');
  assert.equal(favorite.markCalls.length, 0, 'no marks for anonymous pages');
  for (const page of pages) assert.deepEqual(page, pages[0]);
  assert.equal(pages[0].video_list.length, 10);
  assert.equal(pages[0].video_list[0].author.name, 'u1');

  // Token checks finish in turns of their own, so how these pages' calls merge depends on timing (coalescedMarks'
  // own test pins that down); what a page shows, and what its viewer is asked about, does not.
  const [mine, theirs, anonymous, older] = await Promise.all([
    feed(app, `?token=${authors[0]!.token}`),
    feed(app, `?token=${authors[1]!.token}`),
    feed(app),
    feed(app, `?token=${authors[1]!.token}&latest_time=${added[5]!.publishedAt}`),
  ]);
  const ids = (body: { video_list: Array<{ id: number }> }) => body.video_list.map((v) => v.id);
  const asked = new Map<number, Set<number>>();
  for (const { userId, ids } of favorite.markCalls.flat()) for (const id of ids) (asked.get(userId) ?? asked.set(userId, new Set()).get(userId)!).add(id);
  const sorted = (list: Iterable<number>) => [...list].sort((a, b) => a - b);
  assert.deepEqual([...asked.keys()].sort(), [authors[0]!.user_id, authors[1]!.user_id].sort());
  assert.deepEqual(sorted(asked.get(authors[0]!.user_id)!), sorted(ids(mine)));
  assert.deepEqual(sorted(asked.get(authors[1]!.user_id)!), sorted(new Set([...ids(theirs), ...ids(older)])));
  assert.ok(mine.video_list.every((v: { is_favorite: boolean }) => v.is_favorite));
  assert.ok(theirs.video_list.every((v: { is_favorite: boolean }) => !v.is_favorite));
  assert.ok(older.video_list.length === 5 && older.video_list.every((v: { is_favorite: boolean }) => !v.is_favorite));
  assert.ok(anonymous.video_list.every((v: { is_favorite: boolean; favorite_count: number; id: number }) => !v.is_favorite && v.favorite_count === v.id * 10));
});

test('latest_time must be a non-negative int64; an invalid token is an anonymous viewer', async (t) => {
  const { app, videos, register } = await setup(t);
  for (const bad of ['abc', '-5', '1.5', '1e3', '99999999999999999999']) {
    const body = await feed(app, `?latest_time=${bad}`);
    assert.equal(body.status_code, 40002, bad);
    assert.deepEqual(body.video_list, []);
    assert.equal(body.next_time, 0);
  }
  // Past int64: not a number the APK sends. Up to it (Long.MAX_VALUE for "no bound"), the newest videos.
  assert.equal((await feed(app, '?latest_time=9223372036854775808')).status_code, 40002);
  videos.add((await register('ann')).user_id, 'newest');
  for (const unbounded of ['9223372036854775807', '9007199254740992', '00009223372036854775807']) {
    assert.deepEqual((await feed(app, `?latest_time=${unbounded}`)).video_list.map((v: { title: string }) => v.title), ['newest'], unbounded);
  }
  assert.equal((await feed(app, '?token=garbage')).status_code, 0);
});

test('the feed reports a video service outage as 50303 with its zero fields', async (t) => {
  const media = await testMedia(t);
  const down = { feed: { query: async () => Promise.reject(remoteError('SERVICE_UNAVAILABLE')) } } as never;
  const app = await gatewayFor(t, undefined, undefined, undefined, {}, { video: down, media });
  assert.deepEqual(await feed(app), { status_code: 50303, status_msg: 'service temporarily unavailable, please retry later', next_time: 0, video_list: [] });
});

test('publish list: the user\'s videos newest first; unknown user 40401; user_id required and numeric', async (t) => {
  const { app, videos, register } = await setup(t);
  const carol = await register('carol');
  const dave = await register('dave');
  videos.add(carol.user_id, 'c1');
  videos.add(dave.user_id, 'd1');
  videos.add(carol.user_id, 'c2');
  const list = async (q: string) => (await app.inject({ method: 'GET', url: `/douyin/publish/list/${q}` })).json();
  const body = await list(`?user_id=${carol.user_id}&token=${dave.token}`);
  assert.equal(body.status_code, 0);
  assert.deepEqual(body.video_list.map((v: { title: string }) => v.title), ['c2', 'c1']);
  assert.equal(body.video_list[0].author.name, 'carol');
  assert.deepEqual((await list(`?user_id=${dave.user_id + 100}`)), { status_code: 40401, status_msg: 'user not found', video_list: [] });
  assert.equal((await list('')).status_code, 40001);
  assert.equal((await list('?user_id=abc')).status_code, 40002);
  assert.deepEqual((await list(`?user_id=${dave.user_id}`)).video_list.map((v: { title: string }) => v.title), ['d1']);
});
