import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScale, commentRow, favoriteRow, followRow, messageRow, userRow, videoRow } from './rows.js';
import { parseCount, scaleFor } from './scale.js';

test('generated favorites and follows never repeat a pair, and nobody follows themselves', () => {
  // 1k: every user follows every other one.
  for (const videos of [1_000, 10_000]) {
    const scale = scaleFor(videos);
    checkScale(scale);
    const favorites = new Set(Array.from({ length: scale.favorites }, (_, k) => favoriteRow(scale, k)).map((r) => `${r.user_id}:${r.video_id}`));
    assert.equal(favorites.size, scale.favorites);
    const follows = Array.from({ length: scale.follows }, (_, k) => followRow(scale, k));
    assert.equal(new Set(follows.map((r) => `${r.follower_id}:${r.followee_id}`)).size, scale.follows);
    assert.ok(follows.every((r) => r.follower_id !== r.followee_id));
  }
});

test('every seeded user has friends: the users before and after it follow it back', () => {
  for (const videos of [1_000, 10_000]) {
    const scale = scaleFor(videos);
    const pairs = new Set(Array.from({ length: scale.follows }, (_, k) => followRow(scale, k)).map((r) => `${r.follower_id}:${r.followee_id}`));
    for (let user = 1; user <= scale.users; user++) {
      const next = (user % scale.users) + 1;
      assert.ok(pairs.has(`${user}:${next}`) && pairs.has(`${next}:${user}`), `${user} and ${next} at ${videos}`);
    }
  }
});

test('a like or a comment comes after the video it is on, and a follow after both users signed up', () => {
  const scale = scaleFor(10_000);
  for (let k = 0; k < scale.favorites; k += 101) {
    const like = favoriteRow(scale, k);
    assert.ok(like.created_at > videoRow(scale, like.video_id).published_at, `favorite ${k}`);
  }
  for (let k = 0; k < scale.comments; k += 101) {
    const comment = commentRow(scale, k);
    assert.ok(comment.created_at > videoRow(scale, comment.video_id).published_at, `comment ${k}`);
  }
  for (let k = 0; k < scale.follows; k += 101) {
    const follow = followRow(scale, k);
    for (const user of [follow.follower_id, follow.followee_id]) assert.ok(follow.created_at > userRow(user, '').created_at, `follow ${k}`);
  }
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
