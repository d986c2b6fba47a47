import type { Scale } from './scale.js';

// Deterministic rows: the same ordinal always gives the same row, so an interrupted seed resumes where it stopped
// and a re-run adds nothing. Times start at a fixed epoch so published_at stays unique across runs.
const EPOCH = Date.UTC(2025, 0, 1);
const P1 = 7919;
const P2 = 104_729;

const FIRST = ['xiao', 'ming', 'li', 'wang', 'zhang', 'chen', 'lin', 'yang', 'zhao', 'huang', 'zhou', 'wu', 'mei', 'lan', 'jun', 'hui'];
const WORDS = ['sunset', 'street food', 'cat', 'dance', 'guitar', 'hotpot', 'skyline', 'tutorial', 'vlog', 'morning run', 'noodles', 'rain', 'puppy', 'road trip', '旅行', '美食', '日常', '🎉'];
const SAYINGS = ['太好看了', 'love this!', 'where is this?', '哈哈哈哈', 'so relaxing', 'again please', '👍👍', 'first!', 'the music 🔥', 'how did you film this'];

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

/** The author of video `id` (1-based), known without reading the videos table. */
export const authorOf = (scale: Scale, videoId: number): number => ((videoId * P1) % scale.users) + 1;

export function userRow(id: number, passwordHash: string) {
  return {
    id,
    username: `${pick(FIRST, id)}_${id}`,
    password_hash: passwordHash,
    signature: `${pick(WORDS, id * 3)} · ${pick(WORDS, id * 7)}`,
    created_at: EPOCH + id * 1_000,
  };
}

// 30 s apart: 1M videos span about a year, and each time is unique as the feed index requires.
const publishedAt = (videoId: number): number => EPOCH + videoId * 30_000;
/** After every seeded user has signed up (a second apart). */
const allSignedUp = (scale: Scale): number => EPOCH + (scale.users + 1) * 1_000;

export function videoRow(scale: Scale, id: number) {
  return {
    id,
    author_id: authorOf(scale, id),
    title: `${pick(WORDS, id)} ${pick(WORDS, id * 5 + 1)} #${id}`,
    video_key: `videos/seed-${id}.mp4`,
    cover_key: `covers/seed-${id}.jpg`,
    published_at: publishedAt(id),
  };
}

/**
 * Favorite `k` (0-based): user k mod U likes its j-th video, j = k div U, a minute or more after it was published;
 * distinct per user while j < videos.
 */
export function favoriteRow(scale: Scale, k: number) {
  const userId = (k % scale.users) + 1;
  const j = Math.floor(k / scale.users);
  const videoId = ((userId * P1 + j * P2) % scale.videos) + 1;
  return { id: k + 1, user_id: userId, video_id: videoId, author_id: authorOf(scale, videoId), created_at: publishedAt(videoId) + (j + 1) * 60_000 + (userId % 60_000) };
}

/**
 * The j-th user a user follows, as an offset in 1..U-1 (never itself) distinct for every j < U-1 (never twice): the
 * next user and the one before come first, so every user has friends (follows both ways) as the APK's friend list
 * expects, and the rest are spread by a stride.
 */
const followOffset = (users: number, j: number): number => (j === 0 ? 1 : j === 1 ? users - 1 : 2 + (((j - 2) * P1) % (users - 3)));

/** Follow `k`: follower k mod U follows the user at its j-th offset, j = k div U, once everyone has signed up. */
export function followRow(scale: Scale, k: number) {
  const followerId = (k % scale.users) + 1;
  const j = Math.floor(k / scale.users);
  const followeeId = ((followerId - 1 + followOffset(scale.users, j)) % scale.users) + 1;
  return { id: k + 1, follower_id: followerId, followee_id: followeeId, created_at: allSignedUp(scale) + k * 10 };
}

/** Comment `k`: the j-th on video k mod V (j = k div V), ten minutes apart from its publishing on. */
export function commentRow(scale: Scale, k: number) {
  const videoId = (k % scale.videos) + 1;
  return {
    id: k + 1,
    video_id: videoId,
    user_id: ((k * P1) % scale.users) + 1,
    content: `${pick(SAYINGS, k)} ${pick(WORDS, k * 3)}`,
    created_at: publishedAt(videoId) + (Math.floor(k / scale.videos) + 1) * 600_000,
  };
}

/** Message `k`: user u and u+1 (mod U) chat, alternating sender; create times unique and increasing. */
export function messageRow(scale: Scale, k: number) {
  const a = (k % scale.users) + 1;
  const b = (a % scale.users) + 1;
  const [from, to] = Math.floor(k / scale.users) % 2 === 0 ? [a, b] : [b, a];
  return {
    id: k + 1,
    user_low: Math.min(a, b),
    user_high: Math.max(a, b),
    from_id: from,
    to_id: to,
    content: `${pick(SAYINGS, k * 7)}`,
    create_time: EPOCH + k * 1_000,
  };
}

/** The checks that keep the generators collision-free at this scale. */
export function checkScale(scale: Scale): void {
  const perUser = (n: number) => Math.ceil(n / scale.users);
  if (scale.users < 3) throw new Error('at least 3 users');
  if (perUser(scale.favorites) > scale.videos || scale.videos % P2 === 0) throw new Error('more favorites per user than videos');
  if (perUser(scale.follows) > scale.users - 1 || (scale.users - 3) % P1 === 0) throw new Error('more follows per user than users');
}
