import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTokenIssuer } from '@douyin/auth';
import { createDb } from '@douyin/db';
import { databaseModes, filesUnder, freshDatabase, mediaFixtures, type TestDatabase } from '@douyin/testing';
import { fuzzRequests, type FuzzRequest } from '../test/fuzz-requests.js';
import { seedThroughApk } from '../test/fuzz-seed.js';
import { startLocalMesh } from '../test/processes.js';

const REQUESTS = 10_000;
const WORKERS = 16;
// Far above any answer's time under this load: a request still unanswered by then never will be.
const REQUEST_TIMEOUT_MS = 15_000;
const SECRET = 'fuzz-secret-of-this-test-only-0123456789';
const SERVICES = ['user', 'video', 'favorite', 'comment', 'relation', 'message'];

// The most production-like mode only: seven processes are heavy on a shared CPU.
const mode = databaseModes().at(-1) ?? 'sqlite';

// Drivers differ (numbers or strings, Date or epoch): text compares the same values alike on both dialects.
const comparable = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return String(value);
};
const rowText = (row: Record<string, unknown>) => JSON.stringify(Object.entries(row).map(([column, value]) => [column, comparable(value)]));

/** Every row of every table the services keep, each table's rows sorted, read straight from the database. */
async function tableContents(db: TestDatabase): Promise<Record<string, string[]>> {
  // MySQL holds every service's tables in the test's one database; SQLite keeps a file per service.
  const databases = db.url ? ['mysql'] : SERVICES;
  const contents: Record<string, string[]> = {};
  for (const name of databases) {
    const kysely = createDb<unknown>({ url: db.url, dataDir: db.dataDir, name });
    try {
      for (const table of await kysely.introspection.getTables()) {
        const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(kysely);
        contents[`${name}.${table.name}`] = rows.map(rowText).sort();
      }
    } finally {
      await kysely.destroy();
    }
  }
  return contents;
}

/** Per table (or folder), the rows (or files) one snapshot has and the other has not; a changed row is in both lists. */
function differences(before: Record<string, string[]>, after: Record<string, string[]>): Record<string, { added: string[]; removed: string[] }> {
  const found: Record<string, { added: string[]; removed: string[] }> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [was, is] = [before[name] ?? [], after[name] ?? []];
    const added = is.filter((item) => !was.includes(item));
    const removed = was.filter((item) => !is.includes(item));
    if (added.length > 0 || removed.length > 0) found[name] = { added, removed };
  }
  return found;
}

const statusCodeIn = (body: string): unknown => {
  try {
    return (JSON.parse(body) as { status_code?: unknown } | null)?.status_code;
  } catch {
    return undefined; // not JSON: a media or plain-HTTP answer
  }
};

/** What the gateway answered: HTTP status and the APK status_code, or 599 and why when no answer came. */
async function send(base: string, request: FuzzRequest): Promise<{ status: number; code?: unknown; error?: string }> {
  try {
    const res = await fetch(`${base}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: res.status, code: statusCodeIn(await res.text()) };
  } catch (err) {
    return { status: 599, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

test(`${REQUESTS} fuzzed malformed requests: no HTTP 5xx, no crash, nothing written (${mode})`, { timeout: 240_000 }, async (t) => {
  const db = await freshDatabase(t, mode);
  const [fixtures, mesh] = await Promise.all([
    mediaFixtures(t),
    startLocalMesh(t, db, SERVICES, { env: { JWT_SECRET: SECRET }, perApp: { gateway: { RATE_LIMITS: 'off' } } }),
  ]);
  const { gateway, storageDir } = mesh;
  const apps = [...mesh.services.values(), gateway];

  // Rows for every malformed write to hit: a refused request that still unliked, deleted or followed would show.
  const seeded = await seedThroughApk(gateway.url, fixtures.mp4);
  const aliceId = seeded.alice.id;
  const inputs = {
    tokens: {
      valid: seeded.alice.token,
      // Of a user that does not exist, signed with another secret, and alice's own that expired an hour ago.
      refused: await Promise.all([
        createTokenIssuer({ secret: SECRET, ttlSeconds: 3600 }).issue(987_654),
        createTokenIssuer({ secret: 'another-secret-than-the-gateway-has-0123', ttlSeconds: 3600 }).issue(aliceId),
        createTokenIssuer({ secret: SECRET, ttlSeconds: 60, now: () => Date.now() - 3_600_000 }).issue(aliceId),
      ]),
    },
    uploads: { video: fixtures.mp4, notVideos: [fixtures.text, fixtures.png, fixtures.gif, fixtures.truncatedMp4] },
  };
  const before = { tables: await tableContents(db), files: await filesUnder(storageDir) };

  const requests = fuzzRequests(REQUESTS, inputs);
  const serverErrors: string[] = [];
  const codes = new Set<unknown>();
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      const request = requests[index]!;
      const answer = await send(gateway.url, request);
      codes.add(answer.code);
      if (answer.status >= 500) {
        serverErrors.push(`#${index} ${request.method} ${request.path.slice(0, 120)} -> ${answer.status}${answer.error ? ` (${answer.error})` : ''}`);
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));

  assert.deepEqual(serverErrors.slice(0, 10), [], `${serverErrors.length} answers were 5xx or no answer`);
  for (const app of apps) assert.equal((await fetch(`${app.url}/healthz`)).status, 200, `${app.app} still serves:\n${app.output().slice(-2_000)}`);
  assert.deepEqual(differences(before.tables, await tableContents(db)), {}, 'no row was written, changed or removed by a malformed request');
  assert.deepEqual(differences({ storage: before.files }, { storage: await filesUnder(storageDir) }), {}, 'no object was stored or removed by a malformed request');
  // The fuzz reached the checks behind the token: files that are no video met the video service's probe.
  assert.ok(codes.has(40005), `no publish was refused as not a video; codes seen: ${[...codes].join(', ')}`);
});
