/** How many rows of each kind a seeded database holds. */
export interface Scale {
  users: number;
  videos: number;
  favorites: number;
  follows: number;
  comments: number;
  messages: number;
}

const MAX_USERS = 100_000;

/**
 * The scale for a video count, shaped like the largest one (1M videos, 100k users, 10M favorites, follows
 * and comments): ten of each per video and a hundred per user at every size, so a user's favorite list is as long
 * at 10k videos as at 1M and a ratio of their latencies measures how the indexes scale, not a longer list.
 */
export function scaleFor(videos: number): Scale {
  const users = Math.min(MAX_USERS, Math.max(100, Math.round(videos / 10)));
  const perUser = Math.round((videos * 10) / users);
  return {
    users,
    videos,
    favorites: users * perUser,
    follows: users * Math.min(perUser, users - 1),
    comments: videos * 10,
    messages: Math.min(users * 10, 1_000_000),
  };
}

/** "10k", "1m", "250000" -> a number of videos. */
export function parseCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`expected a count like 10k, 1m or 250000, got ${text}`);
  const factor = { '': 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as '' | 'k' | 'm'];
  return Math.round(Number(match[1]) * factor);
}

/** A short label for a count: 10000 -> 10k, 1000000 -> 1m. */
export function countLabel(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}m`;
  if (n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}
