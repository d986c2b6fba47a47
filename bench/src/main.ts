// `npm run bench [-- --quick]`: starts the mesh on MariaDB + a private Redis, seeds bench_* databases, runs wrk and
// the side-by-side comparisons, prints a table and writes bench/results/latest.json. Quick mode (< 5 minutes) uses
// 10k vs 100k videos for the scale ratios and shorter wrk runs, and says so in the output and the JSON.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startPrivateRedis } from '@douyin/testing';
import { buildForBench } from './build.js';
import { benchDatabaseName, ensureDatabase, serverUrl } from './databases.js';
import { runHops } from './hop/run-hops.js';
import { meshServices, startMesh, type RunningMesh } from './mesh.js';
import { Hooks, REPO_ROOT, startScript } from './processes.js';
import { latency, round, table, writeResults, type BenchResults } from './report.js';
import { countLabel, scaleFor, type Scale } from './seed/scale.js';
import { seed } from './seed/seeder.js';
import { startSpanSink } from './span-sink.js';
import { likeStorm } from './storm.js';
import { measureUpload } from './upload.js';
import { runWrk, type WrkResult } from './wrk.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;
const settings = quick
  ? { small: 10_000, large: 100_000, seconds: 5, uploadMb: 200 }
  : { small: 10_000, large: 1_000_000, seconds: 20, uploadMb: 200 };
const FEED_CONNECTIONS = 64;
const wrkScript = (name: string) => join(REPO_ROOT, 'deploy', 'wrk', `${name}.lua`);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** A warm-up run, then the measured one: the first seconds of a tsx process are JIT and pool set-up. */
async function measured(url: string, script: string, env: Record<string, string>): Promise<WrkResult> {
  await runWrk({ url, script: wrkScript(script), env, connections: FEED_CONNECTIONS, durationSec: Math.max(2, Math.round(settings.seconds / 2)) });
  const result = await runWrk({ url, script: wrkScript(script), env, connections: FEED_CONNECTIONS, durationSec: settings.seconds });
  // Reported, not fatal: a figure with failed answers is printed with their count next to it.
  if (result.errors > 0) log(`  ${script}: ${result.errors} of ${result.requests} answers failed (timeouts or status_code != 0)`);
  return result;
}

async function seeded(videos: number): Promise<{ url: string; scale: Scale }> {
  const scale = scaleFor(videos);
  const url = await ensureDatabase(serverUrl(), benchDatabaseName(countLabel(videos)));
  log(`seeding ${benchDatabaseName(countLabel(videos))} (${JSON.stringify(scale)}); a complete database is reused`);
  await seed(url, scale, log);
  return { url, scale };
}

async function wrkEnv(mesh: RunningMesh, scale: Scale): Promise<Record<string, string>> {
  return { TOKENS: await mesh.writeTokens(Math.min(scale.users, 1_000)), USER_MAX: String(scale.users), VIDEO_MAX: String(scale.videos) };
}

const hooks = new Hooks();
process.once('SIGINT', () => void hooks.run().then(() => process.exit(130)));
try {
  const started = Date.now();
  log('building: tsc -b (the apps and libs as production runs them) and the bench servers');
  await buildForBench();
  const sink = await startSpanSink(hooks);
  const redis = await startPrivateRedis(hooks);
  log(`mesh: ${meshServices().join(', ')} behind the gateway; MariaDB ${new URL(serverUrl()).host}, private Redis ${redis.url}`);

  log('hop: bare Fastify, libs/mesh (traced, one trace in ten, untraced), stock tRPC adapter + httpLink, Moleculer TCP (wrk -c50, one at a time)');
  const hops = await runHops(settings.seconds, sink.url);

  const small = await seeded(settings.small);
  let mesh = await startMesh(hooks, { databaseUrl: small.url, redisUrl: redis.url, otlpUrl: sink.url, compiled: true });
  let env = await wrkEnv(mesh, small.scale);
  log(`small scale: feed and favorite lists through the mesh (wrk -c${FEED_CONNECTIONS})`);
  const meshFeed = await measured(mesh.gateway.url, 'feed', env);
  const favoriteSmall = await measured(mesh.gateway.url, 'favorite-list', env);

  log('in-process baseline: the same gateway routes and service routers in one process, same database and Redis');
  const inprocessHooks = new Hooks();
  const inprocess = await startScript(
    inprocessHooks,
    './inprocess/server.ts',
    await freePort(),
    { DATABASE_URL: small.url, REDIS_URL: redis.url, STORAGE_DIR: mesh.storageDir, JWT_SECRET: 'unused-by-the-feed', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'inprocess' },
    { tracing: true },
  );
  const inprocessFeed = await measured(inprocess.url, 'feed', {});
  await inprocessHooks.run();

  log('like storm: 1,000 concurrent like/unlike/follow/unfollow, then counters against rows');
  const storm = await likeStorm(mesh, small.url, small.scale.users);
  if (storm.failed > 0) {
    log(`  like storm: ${storm.failed} of ${storm.requests} requests refused:`);
    for (const [kind, count] of Object.entries(storm.failures)) log(`    ${count} × ${kind}`);
  }
  log(`upload: ${settings.uploadMb} MB through the gateway vs a raw storage PUT`);
  const upload = await measureUpload(mesh, settings.uploadMb);
  await hooks.run();

  // The large database gets its own mesh; the span sink and Redis were stopped with the rest, so start anew.
  const large = await seeded(settings.large);
  const largeHooks = new Hooks();
  const sink2 = await startSpanSink(largeHooks);
  const redis2 = await startPrivateRedis(largeHooks);
  mesh = await startMesh(largeHooks, { databaseUrl: large.url, redisUrl: redis2.url, otlpUrl: sink2.url, compiled: true });
  env = await wrkEnv(mesh, large.scale);
  log(`large scale (${countLabel(settings.large)} videos): feed and favorite lists`);
  const feedLarge = await measured(mesh.gateway.url, 'feed', env);
  const favoriteLarge = await measured(mesh.gateway.url, 'favorite-list', env);
  await largeHooks.run();

  const ratio = (a: WrkResult, b: WrkResult) => round(a.rps / b.rps);
  const scaleNote = quick
    ? `QUICK MODE: the *_1m_over_10k ratios compare ${countLabel(settings.large)} videos with ${countLabel(settings.small)} (not 1M); wrk runs ${settings.seconds} s`
    : `full mode: 1M videos / 10M favorites, follows and comments against 10k videos; wrk runs ${settings.seconds} s`;
  const results: BenchResults = {
    mode: quick ? 'quick' : 'full',
    measured_at: new Date().toISOString(),
    mesh_vs_inprocess: ratio(meshFeed, inprocessFeed),
    mesh_feed: latency(meshFeed),
    inprocess_feed: latency(inprocessFeed),
    hop_vs_bare: ratio(hops.mesh, hops.bare),
    hop_vs_bare_sampled_10pct: ratio(hops.meshSampled, hops.bare),
    hop_vs_bare_untraced: ratio(hops.meshUntraced, hops.bare),
    stock_trpc_hop_vs_bare: ratio(hops.stockTrpc, hops.bare),
    moleculer_hop_vs_bare: ratio(hops.moleculer, hops.bare),
    feed_p50_1m_over_10k: round(feedLarge.p50Ms / meshFeed.p50Ms),
    favorite_list_p50_1m_over_10k: round(favoriteLarge.p50Ms / favoriteSmall.p50Ms),
    like_storm_exact: storm.exact,
    upload_rss_growth_mb: round(upload.rssGrowthMb, 1),
    upload_vs_raw_put: round(upload.uploadMBps / upload.rawPutMBps),
    notes: [
      scaleNote,
      `${cpus().length} cores shared with whatever else runs on this machine; figures move with its load`,
      'every process runs the tsc build, as production does; libs/mesh processes (hop, mesh feed, in-process feed) trace every request to a local OTLP sink with Prometheus metrics on (the hop also with one trace in ten, and untraced); bare, stock tRPC and Moleculer run without',
      'rate limits off (RATE_LIMITS=off); feed and lists measured with deploy/wrk scripts that check every status_code',
    ],
    details: {
      scales: { small: small.scale, large: large.scale },
      hops: Object.fromEntries(Object.entries(hops).map(([k, v]) => [k, latency(v)])),
      favorite_list: { small: latency(favoriteSmall), large: latency(favoriteLarge) },
      feed_large: latency(feedLarge),
      like_storm: storm,
      upload: { ...upload, rssGrowthMb: round(upload.rssGrowthMb, 1), uploadMBps: round(upload.uploadMBps, 1), rawPutMBps: round(upload.rawPutMBps, 1) },
      seconds: Math.round((Date.now() - started) / 1000),
    },
  };
  const file = await writeResults(results);
  process.stdout.write(`\n${table(results)}\n\nwritten to ${file}\n`);
} finally {
  await hooks.run();
}
