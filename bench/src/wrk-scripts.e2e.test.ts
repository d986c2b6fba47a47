import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'mysql2/promise';
import { join } from 'node:path';
import { databaseModes, freshDatabase, mediaFixtures, startPrivateRedis } from '@douyin/testing';
import { measureChatPoll } from './chat-poll.js';
import { measurePushDelivery } from './push-delivery.js';
import { meshProcesses, startMesh } from './mesh.js';
import { REPO_ROOT } from './processes.js';
import { userRow } from './seed/rows.js';
import { scaleFor } from './seed/scale.js';
import { SEED_PASSWORD, seed } from './seed/seeder.js';
import { likeStorm } from './storm.js';
import { loginTokens } from './tokens/login-tokens.js';
import { runWrk } from './wrk.js';
import { WRITE_SCRIPTS, measureWriteCosts, writeCostNotes } from './write-costs.js';

const WRK_DIR = join(REPO_ROOT, 'deploy', 'wrk');
const scripts = readdirSync(WRK_DIR).filter((name) => name.endsWith('.lua') && name !== 'common.lua').sort();

// Every deploy/wrk script drives its route for a second (longer if no answer came back) against the whole mesh on a
// small seeded MariaDB database: each answer it counts must be an APK success, so a script that sends what the
// contract refuses fails here.
test('every deploy/wrk script gets only status_code 0 from a seeded mesh, and the chat poll step measures it (mysql)', { skip: !databaseModes().includes('mysql') }, async (t) => {
  assert.ok(scripts.length >= 17, `scripts found: ${scripts.join(', ')}`);
  const db = await freshDatabase(t, 'mysql');
  const scale = scaleFor(1_000);
  await seed(db.url ?? '', scale);
  const [redis, media] = await Promise.all([startPrivateRedis(t), mediaFixtures(t)]);
  const mesh = await startMesh(t, { databaseUrl: db.url ?? '', redisUrl: redis.url });

  const video = join(db.dataDir, 'clip.mp4');
  const credentials = join(db.dataDir, 'credentials.txt');
  const ids = Array.from({ length: 20 }, (_, i) => i + 1);
  await writeFile(video, media.mp4);
  await writeFile(credentials, ids.map((id) => `${userRow(id, '').username} ${SEED_PASSWORD}`).join('\n'));
  const env = {
    TOKENS: await mesh.writeTokens(scale.users),
    USER_MAX: String(scale.users),
    VIDEO_MAX: String(scale.videos),
    CREDENTIALS: credentials,
    VIDEO_FILE: video,
  };

  for (const script of scripts) {
    const run = (durationSec: number) => runWrk({ url: mesh.gateway.url, script: join(WRK_DIR, script), env, connections: 4, threads: 1, durationSec });
    let result = await run(1);
    // A publish runs ffprobe and ffmpeg: on a busy two-core machine the first second may see no answer come back.
    if (result.requests === 0) result = await run(6);
    t.diagnostic(`${script}: ${result.requests} requests, ${Math.round(result.rps)} req/s, p99 ${result.p99Ms} ms`);
    assert.ok(result.requests > 0, `${script} sent no request`);
    assert.equal(result.errors, 0, `${script}: ${result.errors} of ${result.requests} answers failed, first: ${result.firstApkError}`);
  }

  // The action scripts undo each write a while later (an unlike of the like, a delete of the comment), and leave the
  // seed's own pairs alone: every request changes something, and a run leaves only the writes still waiting for
  // their undo and those in flight, not half of its likes as a random like-or-unlike would, and every seeded row.
  const connection = await createConnection({ uri: db.url ?? '' });
  t.after(() => connection.end());
  const count = async (query: string, values: unknown[] = []) => Number(((await connection.query(query, values)) as unknown as [[{ n: number | string }]])[0][0].n);
  const UNDO_AFTER = 64;
  // Enough requests that most of a run's writes are undone by it; a machine too busy to send them in 3 s gets longer.
  const MIN_REQUESTS = 300;
  const undoing = async (script: string, table: string, seeded: number, seededEnv: Record<string, string>) => {
    const held = await count(`SELECT COUNT(*) AS n FROM ${table} WHERE id <= ?`, [seeded]);
    const newest = await count(`SELECT COALESCE(MAX(id), 0) AS n FROM ${table}`);
    let runs = 0;
    let result: Awaited<ReturnType<typeof runWrk>> | undefined;
    for (const durationSec of [3, 12]) {
      result = await runWrk({ url: mesh.gateway.url, script: join(WRK_DIR, script), env: { ...env, ...seededEnv, UNDO_AFTER: String(UNDO_AFTER) }, connections: 4, threads: 1, durationSec });
      runs++;
      assert.equal(result.errors, 0, `${script}: ${result.errors} of ${result.requests} requests failed: ${result.firstApkError}`);
      if (result.requests >= MIN_REQUESTS) break;
    }
    assert.ok(result && result.requests >= MIN_REQUESTS, `${script}: ${result?.requests} requests in the longer run`);
    // Each run leaves at most the writes still waiting for their undo (one thread's UNDO_AFTER) and those in flight.
    const left = await count(`SELECT COUNT(*) AS n FROM ${table} WHERE id > ?`, [newest]);
    t.diagnostic(`${script}: ${result.requests} requests left ${left} new rows`);
    assert.ok(left <= runs * (UNDO_AFTER + 4), `${script}: ${left} new rows left after ${runs} runs`);
    assert.equal(await count(`SELECT COUNT(*) AS n FROM ${table} WHERE id <= ?`, [seeded]), held, `${script}: the seed's rows are all there`);
  };
  await undoing('favorite-action.lua', 'favorites', scale.favorites, { SEEDED_LIKES: String(scale.favorites / scale.users) });
  await undoing('comment-action.lua', 'comments', scale.comments, {});

  // The TOKENS file for a deployment whose secret nobody here holds: the seeded users logged in through the APK route.
  const logins = await loginTokens({ gateway: mesh.gateway.url, credentials: ids.map((id) => ({ username: userRow(id, '').username, password: SEED_PASSWORD })) });
  assert.deepEqual(logins.map((line) => Number(line.split(' ')[0])), ids);
  for (const line of logins) {
    const [id, token] = line.split(' ');
    const answer = (await (await fetch(`${mesh.gateway.url}/douyin/user/?token=${token}`)).json()) as { status_code: number; user: { id: number } };
    assert.deepEqual([answer.status_code, answer.user.id], [0, Number(id)]);
  }

  // The bench's chat poll step against the same mesh: both reads answer, for every seeded user (fewer than 500).
  const poll = await measureChatPoll(mesh.apps.get('message')!.url, scale.users, 1, 3);
  assert.equal(poll.users, scale.users);
  for (const ms of [poll.byTimeMs, poll.byUserMs]) assert.ok(Number.isFinite(ms) && ms > 0, `${ms} ms`);

  // And the push delivery step: every message reaches both its users' connections once, by either path.
  const push = await measurePushDelivery(mesh, scale.users, { connections: 50, messagesPerSecond: 20, seconds: 1 });
  assert.deepEqual([push.connections, push.messages, push.failedSends, push.missing, push.duplicates], [50, 20, 0, 0, 0], push.firstFailure);
  for (const ms of [push.atOnce.p50, push.atOnce.max, push.polled.p50, push.polled.max]) assert.ok(Number.isFinite(ms) && ms > 0, `${ms} ms`);

  // And the write costs step: each write script's runs answered, and every process it went through charged with CPU.
  const costs = await measureWriteCosts({ url: mesh.gateway.url, env }, meshProcesses(mesh, undefined, redis.pid()), { connections: 4, seconds: 1, warmRuns: 1, runs: 2 });
  assert.deepEqual(costs.map((c) => c.script), [...WRITE_SCRIPTS]);
  const serviceOf: Record<string, string> = { 'favorite-action': 'favorite', 'relation-action': 'relation', 'comment-action': 'comment', 'message-action': 'message' };
  for (const { script, runs, cpu_us, run_cpu_us } of costs) {
    const service = serviceOf[script]!;
    assert.ok(runs.length === 2 && runs.every((run) => run.requests > 0 && run.errors === 0), JSON.stringify(runs));
    // Each run's own total, and the whole's between them: the whole is the runs' CPU over the runs' requests.
    assert.ok(run_cpu_us.length === 2 && run_cpu_us.every((us) => us > 0), JSON.stringify(run_cpu_us));
    // /proc counts CPU in 10 ms ticks, read for the whole and for each run apart: each process's reading may differ by
    // a tick at either end, which over the few requests of one-second runs moves a per-request figure visibly.
    const requests = runs.reduce((sum, run) => sum + run.requests, 0);
    const slack = ((Object.keys(cpu_us).length - 1) * 2 * 10_000) / requests;
    const [low, high] = [Math.min(...run_cpu_us) - slack, Math.max(...run_cpu_us) + slack];
    assert.ok(cpu_us.total! >= low && cpu_us.total! <= high, JSON.stringify({ cpu_us, run_cpu_us, requests }));
    for (const name of ['gateway', service]) assert.ok((cpu_us[name] ?? 0) > 0, `${name} in ${JSON.stringify(cpu_us)}`);
    assert.ok(cpu_us.total! >= cpu_us.gateway! + cpu_us[service]!, JSON.stringify(cpu_us));
  }
  assert.match(writeCostNotes(costs, 'here').join('\n'), /^writes, favorite-action here: \d+–\d+ req\/s; CPU µs per request: gateway \d+, .*total \d+ \(runs \d+–\d+\)\nwrites, relation-action here/);

  // And the like storm step: its counters stay exact, and each storm first undoes what the ones before left between
  // its users (1..95 of 100) and targets (videos 1..5, users 96..100), here a storm of none.
  const left = async () => {
    const [[likes]] = (await connection.query('SELECT COUNT(*) AS n FROM favorites WHERE user_id <= 95 AND video_id <= 5')) as unknown as [[{ n: number }]];
    const [[follows]] = (await connection.query('SELECT COUNT(*) AS n FROM follows WHERE follower_id <= 95 AND followee_id > 95')) as unknown as [[{ n: number }]];
    return Number(likes.n) + Number(follows.n);
  };
  const storm = await likeStorm(mesh, db.url ?? '', scale.users, 200);
  assert.deepEqual([storm.exact, storm.failed], [true, 0], JSON.stringify(storm));
  assert.ok((await left()) > 0, 'the storm left likes and follows');
  const undone = await likeStorm(mesh, db.url ?? '', scale.users, 0);
  assert.deepEqual([undone.exact, await left()], [true, 0]);

  // Follows last: on this seed every user follows every other, so the seed is cut to its first 50 follows a user
  // (follow counters no longer match, which nothing after this reads) for relation-action to find pairs to follow.
  const kept = 50 * scale.users;
  await connection.query('DELETE FROM follows WHERE id > ?', [kept]);
  await undoing('relation-action.lua', 'follows', kept, { SEEDED_FOLLOWS: '50' });
});
