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

export function videoRow(scale: Scale, id: number) {
  return {
    id,
    author_id: authorOf(scale, id),
    title: `${pick(WORDS, id)} ${pick(WORDS, id * 5 + 1)} #${id}`,
    video_key: `videos/seed-${id}.mp4`,
    cover_key: `covers/seed-${id}.jpg`,
    // 30 s apart: 1M videos span about a year, and each time is unique as the feed index requires.
    published_at: EPOCH + id * 30_000,
  };
}

/** Favorite `k` (0-based): user k mod U likes its j-th video, j = k div U; distinct per user while j < videos. */
export function favoriteRow(scale: Scale, k: number) {
  const userId = (k % scale.users) + 1;
  const j = Math.floor(k / scale.users);
  const videoId = ((userId * P1 + j * P2) % scale.videos) + 1;
  return { id: k + 1, user_id: userId, video_id: videoId, author_id: authorOf(scale, videoId), created_at: EPOCH + k * 10 };
}

/** Follow `k`: follower k mod U follows the user at a per-j offset in 1..U-1, so never itself and never twice. */
export function followRow(scale: Scale, k: number) {
  const followerId = (k % scale.users) + 1;
  const j = Math.floor(k / scale.users);
  const offset = 1 + ((j * P1) % (scale.users - 1));
  return { id: k + 1, follower_id: followerId, followee_id: ((followerId - 1 + offset) % scale.users) + 1, created_at: EPOCH + k * 10 };
}

export function commentRow(scale: Scale, k: number) {
  return {
    id: k + 1,
    video_id: (k % scale.videos) + 1,
    user_id: ((k * P1) % scale.users) + 1,
    content: `${pick(SAYINGS, k)} ${pick(WORDS, k * 3)}`,
    created_at: EPOCH + k * 10,
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
  if (perUser(scale.follows) > scale.users - 1 || (scale.users - 1) % P1 === 0) throw new Error('more follows per user than users');
}
