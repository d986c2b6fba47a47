import { sql, type Kysely } from 'kysely';
import { createDb } from '@douyin/db';
import { apkQuery } from '@douyin/testing';
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
// The storm's targets are videos 1..5 and the last five users; its actors are users 1..500, below them.
const hotVideoIds = () => sql.join(Array.from({ length: HOT_VIDEOS }, (_, i) => i + 1));
const hotUserIds = (users: number) => sql.join(Array.from({ length: HOT_USERS }, (_, i) => users - i));
const actorIds = (actors: number) => sql.join(Array.from({ length: actors }, (_, i) => i + 1));

/** Runs `jobs` with at most `limit` of them in flight at once. */
async function inTurns(jobs: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

/** How many undo requests the storm's preparation keeps in flight: few enough that none waits long. */
const PREPARE_CONCURRENCY = 16;

/**
 * 1,000 like/unlike/follow/unfollow requests from many users, all in flight at once, on a few hot videos and
 * users; then every counter those touch is compared with a COUNT(*) of its rows. The likes and follows an earlier
 * run left between its users and targets are undone first, through the API and a few at a time, so every run meets
 * the same state: nothing there yet, every like and follow a write waiting its turn on a hot counter row (a run that
 * found them there would mostly change nothing, and measure less).
 */
export async function likeStorm(mesh: RunningMesh, databaseUrl: string, users: number, requests = 1_000): Promise<StormResult> {
  // Actors stay below the hot users, so none follows itself (whatever the scale).
  const actors = Math.min(users - HOT_USERS, 500);
  const tokens = await Promise.all(Array.from({ length: actors }, (_, i) => mesh.token(i + 1)));
  const post: Post = async (path, params) => {
    const res = await fetch(`${mesh.gateway.url}${path}?${apkQuery(params)}`, { method: 'POST' });
    const body = (await res.json()) as { status_code: number; status_msg: string };
    return res.status === 200 && body.status_code === 0 ? undefined : `${path} HTTP ${res.status} ${body.status_code} ${body.status_msg}`;
  };
  const db = createDb<any>({ url: databaseUrl, dataDir: tmpdir(), name: 'storm', poolSize: 2 });
  try {
    await undoEarlierStorms(db, post, tokens, users);
    return await stormThenCount(db, post, tokens, users, requests);
  } finally {
    await db.destroy();
  }
}

/** The storm itself, then its counters against their rows. */
async function stormThenCount(db: Kysely<any>, post: Post, tokens: readonly string[], users: number, requests: number): Promise<StormResult> {
  const actors = tokens.length;
  const answers = await Promise.all(
    Array.from({ length: requests }, (_, i) => {
      const actor = (i * 7) % actors;
      const action = (i % 3 === 2 ? 2 : 1) as 1 | 2;
      if (i % 2 === 0) return post('/douyin/favorite/action/', { token: tokens[actor]!, video_id: 1 + (i % HOT_VIDEOS), action_type: action });
      return post('/douyin/relation/action/', { token: tokens[actor]!, to_user_id: users - (i % HOT_USERS), action_type: action });
    }),
  );
  const failures = new Map<string, number>();
  for (const answer of answers) if (answer !== undefined) failures.set(answer, (failures.get(answer) ?? 0) + 1);
  const failed = [...failures.values()].reduce((sum, n) => sum + n, 0);

  const mismatches: string[] = [];
  const compare = async (what: string, query: ReturnType<typeof sql>) => {
    const { rows } = await query.execute(db);
    for (const row of rows as Array<{ id: unknown; counted: unknown; stored: unknown }>) {
      if (Number(row.counted) !== Number(row.stored ?? 0)) mismatches.push(`${what} ${row.id}: ${row.counted} rows, counter ${row.stored}`);
    }
  };
  await compare('video favorite_count', sql`select v.id, (select count(*) from favorites f where f.video_id = v.id) as counted,
    (select favorite_count from video_favorite_counts c where c.video_id = v.id) as stored from videos v where v.id in (${hotVideoIds()})`);
  await compare('user favorite_count', sql`select u.id, (select count(*) from favorites f where f.user_id = u.id) as counted,
    (select favorite_count from user_favorite_counts c where c.user_id = u.id) as stored from users u where u.id in (${actorIds(actors)})`);
  await compare('follower_count', sql`select u.id, (select count(*) from follows f where f.followee_id = u.id) as counted,
    (select follower_count from follow_counts c where c.user_id = u.id) as stored from users u where u.id in (${hotUserIds(users)})`);
  await compare('follow_count', sql`select u.id, (select count(*) from follows f where f.follower_id = u.id) as counted,
    (select follow_count from follow_counts c where c.user_id = u.id) as stored from users u where u.id in (${actorIds(actors)})`);
  return {
    exact: mismatches.length === 0,
    requests,
    failed,
    failures: Object.fromEntries([...failures].sort((a, b) => b[1] - a[1])),
    mismatches: mismatches.slice(0, 10),
  };
}

type Post = (path: string, params: Record<string, string | number>) => Promise<string | undefined>;

/** Unlikes and unfollows, as their users, every like of a hot video and follow of a hot user by the storm's actors. */
async function undoEarlierStorms(db: Kysely<any>, post: Post, tokens: readonly string[], users: number): Promise<void> {
  const likes = await sql<{ actor: number; target: number }>`select user_id as actor, video_id as target from favorites
    where user_id in (${actorIds(tokens.length)}) and video_id in (${hotVideoIds()})`.execute(db);
  const follows = await sql<{ actor: number; target: number }>`select follower_id as actor, followee_id as target from follows
    where follower_id in (${actorIds(tokens.length)}) and followee_id in (${hotUserIds(users)})`.execute(db);
  const undo = (path: string, target: string) => ({ actor, target: id }: { actor: number; target: number }) => async () => {
    const refused = await post(path, { token: tokens[Number(actor) - 1]!, [target]: Number(id), action_type: 2 });
    if (refused) throw new Error(`undoing an earlier storm's ${path} failed: ${refused}`);
  };
  await inTurns(
    [...likes.rows.map(undo('/douyin/favorite/action/', 'video_id')), ...follows.rows.map(undo('/douyin/relation/action/', 'to_user_id'))],
    PREPARE_CONCURRENCY,
  );
}
