import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScale, favoriteRow, followRow, messageRow, videoRow } from './rows.js';
import { parseCount, scaleFor } from './scale.js';

test('generated favorites and follows never repeat a pair, and nobody follows themselves', () => {
  const scale = scaleFor(10_000);
  checkScale(scale);
  const favorites = new Set(Array.from({ length: scale.favorites }, (_, k) => favoriteRow(scale, k)).map((r) => `${r.user_id}:${r.video_id}`));
  assert.equal(favorites.size, scale.favorites);
  const follows = Array.from({ length: scale.follows }, (_, k) => followRow(scale, k));
  assert.equal(new Set(follows.map((r) => `${r.follower_id}:${r.followee_id}`)).size, scale.follows);
  assert.ok(follows.every((r) => r.follower_id !== r.followee_id));
});

test('ids stay in range, publish times are unique, and a conversation is always a pair of two users', () => {
  const scale = scaleFor(10_000);
  const times = new Set(Array.from({ length: scale.videos }, (_, k) => videoRow(scale, k + 1).published_at));
  assert.equal(times.size, scale.videos);
  for (let k = 0; k < scale.favorites; k += 997) assert.ok(favoriteRow(scale, k).video_id <= scale.videos);
  for (let k = 0; k < scale.messages; k += 13) {
    const m = messageRow(scale, k);
    assert.ok(m.user_low < m.user_high && [m.from_id, m.to_id].sort((a, b) => a - b).join() === `${m.user_low},${m.user_high}`);
  }
});

test('the issue\'s largest scale: 1M videos, 100k users, 10M favorites, follows and comments', () => {
  assert.deepEqual(scaleFor(parseCount('1m')), { users: 100_000, videos: 1_000_000, favorites: 10_000_000, follows: 10_000_000, comments: 10_000_000, messages: 1_000_000 });
});
