import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseModes, freshDatabase, mediaFixtures, startPrivateRedis } from '@douyin/testing';
import { multipartBody } from '../test/multipart.js';
import { apkCall, startLocalMesh, steadyTraffic } from '../test/processes.js';

interface Answer {
  status_code: number;
  status_msg: string;
  token: string;
  user_id: number;
  user: { favorite_count: number; total_favorited: number };
  video_list: Array<{ id: number; favorite_count: number; comment_count: number; is_favorite: boolean }>;
  comment: { id: number; content: string; create_date: string; user: { id: number } };
  comment_list: Array<{ id: number; content: string }>;
}

const USERS = 20;
const REQUESTS = 1_000;

// The most production-like mode only (MariaDB when configured): five processes per run are heavy on a shared CPU,
// and the router tests already run the same storm on both dialects.
const mode = databaseModes().at(-1) ?? 'sqlite';

test(`likes and comments end to end over Redis: exact counts after ${REQUESTS} concurrent requests, reads survive Redis dying and stay fresh when it returns (${mode})`, { timeout: 180_000 }, async (t) => {
  const db = await freshDatabase(t, mode);
  // Append-only, as production runs it: a Redis restarted after a crash comes back with the entries it had.
  const redis = await startPrivateRedis(t, { persistent: true });
  const cached = { REDIS_URL: redis.url };
  const [fixtures, mesh] = await Promise.all([
    mediaFixtures(t),
    startLocalMesh(t, db, ['user', 'video', 'favorite', 'comment'], {
      // The storm arrives at once: no per-procedure shedding, and a deadline that outlasts the queue on one row.
      env: { RPC_CONCURRENCY_LIMIT: '5000', MESH_TIMEOUT_MS: '60000' },
      perApp: { user: cached, video: cached, favorite: cached, comment: cached, gateway: { RATE_LIMITS: 'off' } },
    }),
  ]);
  /** A cache counter of one service, summed over its caches. */
  const cacheCounter = async (service: 'user' | 'video' | 'favorite', counter: 'failures' | 'hits') => {
    const metrics = await (await fetch(`${mesh.services.get(service)!.url}/metrics`)).text();
    const series = new RegExp(`^douyin_${service}_cache_${counter}_total\\{[^}]*\\} (\\d+)`, 'gm');
    return [...metrics.matchAll(series)].reduce((sum, m) => sum + Number(m[1]), 0);
  };
  const base = mesh.gateway.url;

  const api = (method: 'GET' | 'POST', path: string, query: Record<string, string | number> = {}, form?: ReturnType<typeof multipartBody>) =>
    apkCall<Answer>(base, method, path, query, { form });
  const register = (name: string) => api('POST', '/douyin/user/register/', { username: name, password: 'secret1' });
  const author = await register('author');
  const users: Answer[] = [];
  for (let i = 0; i < USERS; i++) users.push(await register(`fan${i}`));
  const upload = multipartBody([{ name: 'token', value: author.token }, { name: 'title', value: 'clip' }, { name: 'data', value: fixtures.mp4, filename: 'x.mp4' }]);
  assert.equal((await api('POST', '/douyin/publish/action/', {}, upload)).status_code, 0);
  const videoId = (await api('GET', '/douyin/feed/')).video_list[0]!.id;

  // Likes and unlikes from many users on one video, all in flight at once.
  const answers = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      api('POST', '/douyin/favorite/action/', { token: users[(i * 7) % USERS]!.token, video_id: videoId, action_type: i % 3 === 2 ? 2 : 1 }),
    ),
  );
  assert.deepEqual(answers.filter((a) => a.status_code !== 0).slice(0, 3), []);

  // Rows, as the favorite lists show them, against every counter the APK shows.
  const likers = new Set<number>();
  for (const fan of users) {
    const list = await api('GET', '/douyin/favorite/list/', { user_id: fan.user_id });
    if (list.video_list.some((v) => v.id === videoId)) likers.add(fan.user_id);
    const profile = (await api('GET', '/douyin/user/', { user_id: fan.user_id })).user;
    assert.equal(profile.favorite_count, likers.has(fan.user_id) ? 1 : 0, `favorite_count of ${fan.user_id}`);
  }
  assert.ok(likers.size > 0);
  const feedOf = async (token?: string) => (await api('GET', '/douyin/feed/', token ? { token } : {})).video_list[0]!;
  assert.equal((await feedOf()).favorite_count, likers.size);
  assert.equal((await api('GET', '/douyin/user/', { user_id: author.user_id })).user.total_favorited, likers.size);
  const someLiker = users.find((u) => likers.has(u.user_id))!;
  const notLiker = users.find((u) => !likers.has(u.user_id));
  assert.equal((await feedOf(someLiker.token)).is_favorite, true);
  if (notLiker) assert.equal((await feedOf(notLiker.token)).is_favorite, false);

  // Comments: verbatim text, newest first, counted, deleted once.
  const text = "it's 100% \"great\"; DROP TABLE comments; -- 😀👍🏽 抖音";
  const added = await api('POST', '/douyin/comment/action/', { token: someLiker.token, video_id: videoId, action_type: 1, comment_text: text });
  assert.equal(added.comment.content, text);
  assert.match(added.comment.create_date, /^\d\d-\d\d$/);
  const second = await api('POST', '/douyin/comment/action/', { token: author.token, video_id: videoId, action_type: 1, comment_text: 'thanks' });
  const listed = await api('GET', '/douyin/comment/list/', { video_id: videoId });
  assert.deepEqual(listed.comment_list.map((c) => c.id), [second.comment.id, added.comment.id]);
  assert.equal((await feedOf()).comment_count, 2);
  const remove = () => api('POST', '/douyin/comment/action/', { token: someLiker.token, video_id: videoId, action_type: 2, comment_id: added.comment.id });
  assert.equal((await remove()).status_code, 0);
  assert.equal((await remove()).status_code, 40403);
  assert.equal((await feedOf()).comment_count, 1);

  // Redis dies under steady reads (the feed, and a profile, each read through every service's cache): every read
  // still answers, from the database, and writes stay visible.
  const traffic = steadyTraffic(t, async (n) => {
    if (n % 2 === 1) {
      const body = await api('GET', '/douyin/user/', { user_id: author.user_id });
      if (body.status_code !== 0 || body.user.total_favorited < likers.size) throw new Error(`user answered ${JSON.stringify(body).slice(0, 200)}`);
      return;
    }
    const body = await api('GET', '/douyin/feed/', { token: someLiker.token });
    if (body.status_code !== 0 || body.video_list[0]?.is_favorite !== true) throw new Error(`feed answered ${JSON.stringify(body).slice(0, 200)}`);
  });
  await sleep(300);
  await redis.kill();
  const answeredBefore = traffic.ok;
  await sleep(500);
  assert.equal((await api('POST', '/douyin/favorite/action/', { token: author.token, video_id: videoId, action_type: 1 })).status_code, 0);
  assert.equal((await feedOf()).favorite_count, likers.size + 1);
  assert.equal((await api('GET', '/douyin/user/', { user_id: author.user_id })).user.total_favorited, likers.size + 1);
  await sleep(300);
  const result = await traffic.stop();
  assert.equal(result.failed, 0, result.failures.join('\n'));
  assert.ok(result.ok > answeredBefore + 10, `${result.ok - answeredBefore} reads answered while Redis was down`);
  for (const service of ['user', 'video', 'favorite'] as const) {
    assert.ok((await cacheCounter(service, 'failures')) > 0, `the ${service} service read its cache, and counted its failures`);
  }
  const favoriteCache = (counter: 'failures' | 'hits') => cacheCounter('favorite', counter);

  // Redis returns holding the counts it had cached before the like, whose deletes it missed: those are never read
  // again, and the cache serves hits once more.
  await redis.restart();
  const hitsBefore = await favoriteCache('hits');
  const deadline = Date.now() + 15_000;
  while ((await favoriteCache('hits')) < hitsBefore + 10) {
    assert.ok(Date.now() < deadline, 'the favorite service never read its cache again');
    assert.equal((await feedOf()).favorite_count, likers.size + 1);
    assert.equal((await api('GET', '/douyin/user/', { user_id: author.user_id })).user.total_favorited, likers.size + 1);
    await sleep(50);
  }
});
