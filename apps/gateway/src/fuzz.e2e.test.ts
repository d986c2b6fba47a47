import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTokenIssuer } from '@douyin/auth';
import { createDb } from '@douyin/db';
import { databaseModes, freshDatabase, type TestDatabase } from '@douyin/testing';
import { fuzzRequests, type FuzzRequest } from '../test/fuzz-requests.js';
import { startLocalMesh } from '../test/processes.js';

const REQUESTS = 10_000;
const WORKERS = 16;
const SECRET = 'fuzz-secret-of-this-test-only-0123456789';
// The rows each service owns; counter tables are compared by their sums, since a refused write may not move them.
const TABLES: Record<string, string[]> = {
  user: ['users'],
  video: ['videos', 'publish_intents'],
  favorite: ['favorites', 'video_favorite_counts', 'user_favorite_counts'],
  comment: ['comments', 'video_comment_counts'],
  relation: ['follows', 'follow_counts'],
  message: ['messages', 'conversations'],
};
const SUMS: Record<string, string> = {
  video_favorite_counts: 'favorite_count',
  user_favorite_counts: 'favorite_count + total_favorited',
  video_comment_counts: 'comment_count',
  follow_counts: 'follow_count + follower_count',
  conversations: 'last_message_id',
};

// The most production-like mode only: seven processes are heavy on a shared CPU.
const mode = databaseModes().at(-1) ?? 'sqlite';

/** Row counts (and counter sums) of every service's tables, read straight from the database. */
async function snapshot(db: TestDatabase): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const [service, tables] of Object.entries(TABLES)) {
    const kysely = createDb<any>({ url: db.url, dataDir: db.dataDir, name: service });
    try {
      for (const table of tables) {
        const value = SUMS[table] ? sql.raw(`coalesce(sum(${SUMS[table]}), 0)`) : sql.raw('count(*)');
        const { rows } = await sql<{ n: unknown }>`select ${value} as n from ${sql.table(table)}`.execute(kysely);
        figures[table] = Number(rows[0]?.n ?? 0);
      }
    } finally {
      await kysely.destroy();
    }
  }
  return figures;
}

async function send(base: string, request: FuzzRequest): Promise<number> {
  const res = await fetch(`${base}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
  await res.arrayBuffer();
  return res.status;
}

test(`${REQUESTS} fuzzed malformed requests: no HTTP 5xx, no crash, nothing written (${mode})`, { timeout: 240_000 }, async (t) => {
  const db = await freshDatabase(t, mode);
  const mesh = await startLocalMesh(t, db, Object.keys(TABLES), { env: { JWT_SECRET: SECRET }, perApp: { gateway: { RATE_LIMITS: 'off' } } });
  const { gateway } = mesh;
  const apps = [...mesh.services.values(), gateway];

  const register = await fetch(`${gateway.url}/douyin/user/register/?username=alice&password=secret1`, { method: 'POST' });
  const alice = (await register.json()) as { status_code: number; token: string };
  assert.equal(alice.status_code, 0);
  const tokens = { valid: alice.token, ofMissingUser: await createTokenIssuer({ secret: SECRET, ttlSeconds: 3600 }).issue(987_654) };
  const before = await snapshot(db);

  const requests = fuzzRequests(REQUESTS, tokens);
  const serverErrors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      const request = requests[index]!;
      // No answer at all (a reset connection) counts as a server failure too.
      const status = await send(gateway.url, request).catch(() => 599);
      if (status >= 500) serverErrors.push(`#${index} ${request.method} ${request.path.slice(0, 120)} -> ${status}`);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));

  assert.deepEqual(serverErrors.slice(0, 10), [], `${serverErrors.length} answers were 5xx or no answer`);
  for (const app of apps) assert.equal((await fetch(`${app.url}/healthz`)).status, 200, `${app.app} still serves:\n${app.output().slice(-2_000)}`);
  assert.deepEqual(await snapshot(db), before, 'no row was written by a malformed request');
});
