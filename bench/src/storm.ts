import { sql } from 'kysely';
import { createDb } from '@douyin/db';
import { tmpdir } from 'node:os';
import type { RunningMesh } from './mesh.js';

export interface StormResult {
  /** Every counter the storm touched equals a COUNT(*) of its rows (refused requests change neither). */
  exact: boolean;
  requests: number;
  /** Requests answered with status_code != 0 (shed or timed out under the storm). */
  failed: number;
  /** How many failed of each kind (route, HTTP status, status_code and message), most frequent first. */
  failures: Record<string, number>;
  mismatches: string[];
}

const HOT_VIDEOS = 5;
const HOT_USERS = 5;

/**
 * 1,000 like/unlike/follow/unfollow requests from many users, all in flight at once, on a few hot videos and
 * users; then every counter those touch is compared with a COUNT(*) of its rows.
 */
export async function likeStorm(mesh: RunningMesh, databaseUrl: string, users: number, requests = 1_000): Promise<StormResult> {
  const actors = Math.min(users, 500);
  const tokens = await Promise.all(Array.from({ length: actors }, (_, i) => mesh.token(i + 1)));
  const post = async (path: string, params: Record<string, string | number>) => {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    const res = await fetch(`${mesh.gateway.url}${path}?${query}`, { method: 'POST' });
    const body = (await res.json()) as { status_code: number; status_msg: string };
    return res.status === 200 && body.status_code === 0 ? undefined : `${path} HTTP ${res.status} ${body.status_code} ${body.status_msg}`;
  };
  const answers = await Promise.all(
    Array.from({ length: requests }, (_, i) => {
      const actor = (i * 7) % actors;
      const action = (i % 3 === 2 ? 2 : 1) as 1 | 2;
      if (i % 2 === 0) return post('/douyin/favorite/action/', { token: tokens[actor]!, video_id: 1 + (i % HOT_VIDEOS), action_type: action });
      // Hot users are ids users-0..users-4; an actor never follows itself because actors stay below them.
      return post('/douyin/relation/action/', { token: tokens[actor]!, to_user_id: users - (i % HOT_USERS), action_type: action });
    }),
  );
  const failures = new Map<string, number>();
  for (const answer of answers) if (answer !== undefined) failures.set(answer, (failures.get(answer) ?? 0) + 1);
  const failed = [...failures.values()].reduce((sum, n) => sum + n, 0);

  const db = createDb<any>({ url: databaseUrl, dataDir: tmpdir(), name: 'storm', poolSize: 2 });
  const mismatches: string[] = [];
  const compare = async (what: string, query: ReturnType<typeof sql>) => {
    const { rows } = await query.execute(db);
    for (const row of rows as Array<{ id: unknown; counted: unknown; stored: unknown }>) {
      if (Number(row.counted) !== Number(row.stored ?? 0)) mismatches.push(`${what} ${row.id}: ${row.counted} rows, counter ${row.stored}`);
    }
  };
  try {
    const videos = sql.join(Array.from({ length: HOT_VIDEOS }, (_, i) => i + 1));
    const hot = sql.join(Array.from({ length: HOT_USERS }, (_, i) => users - i));
    const likers = sql.join(Array.from({ length: actors }, (_, i) => i + 1));
    await compare('video favorite_count', sql`select v.id, (select count(*) from favorites f where f.video_id = v.id) as counted,
      (select favorite_count from video_favorite_counts c where c.video_id = v.id) as stored from videos v where v.id in (${videos})`);
    await compare('user favorite_count', sql`select u.id, (select count(*) from favorites f where f.user_id = u.id) as counted,
      (select favorite_count from user_favorite_counts c where c.user_id = u.id) as stored from users u where u.id in (${likers})`);
    await compare('follower_count', sql`select u.id, (select count(*) from follows f where f.followee_id = u.id) as counted,
      (select follower_count from follow_counts c where c.user_id = u.id) as stored from users u where u.id in (${hot})`);
    await compare('follow_count', sql`select u.id, (select count(*) from follows f where f.follower_id = u.id) as counted,
      (select follow_count from follow_counts c where c.user_id = u.id) as stored from users u where u.id in (${likers})`);
  } finally {
    await db.destroy();
  }
  return {
    exact: mismatches.length === 0,
    requests,
    failed,
    failures: Object.fromEntries([...failures].sort((a, b) => b[1] - a[1])),
    mismatches: mismatches.slice(0, 10),
  };
}
