// `npm run bench [-- --quick]`: starts the mesh on a MariaDB of its own (or DATABASE_URL's) and a private Redis, seeds
// bench_* databases, runs wrk and the side-by-side comparisons, prints a table and writes bench/results/latest.json.
// Quick mode (under five minutes on a two-core machine, seeding included) uses 10k vs 100k videos for the scale ratios,
// two rounds of each comparison and shorter wrk runs, and says so in the output and the JSON.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CacheEnv } from '@douyin/config';
import { REMEMBERED_TTL_MS } from '@douyin/mesh';
import { freePort, startPrivateRedis } from '@douyin/testing';
import { buildForBench } from './build.js';
import { benchServer, flushSeedWrites, warmBufferPool } from './bench-mariadb.js';
import { cacheShares, meshCacheLookups } from './cache-lookups.js';
import { POLL_USERS, measureChatPoll } from './chat-poll.js';
import { benchDatabaseName, ensureDatabase, replacerFor } from './databases.js';
import { runHops } from './hop/run-hops.js';
import { meshProcesses, meshServices, startMesh, wrkEnv, type RunningMesh } from './mesh.js';
import { Hooks, REPO_ROOT, startScript } from './processes.js';
import { failedAnswers } from './failed-answers.js';
import { measurePushDelivery, type DeliveryLatency } from './push-delivery.js';
import { latency, round, table, writeResults, type BenchResults } from './report.js';
import { ScaleCostTally, scaleCostNotes } from './list-costs.js';
import { countLabel, scaleFor, type Scale } from './seed/scale.js';
import { seed } from './seed/seeder.js';
import { warmUntilSettled, type WarmWindow } from './settle.js';
import { redisFootprint } from './redis-footprint.js';
import { compareScales, compareThroughput, type ScaleComparison, type ScaleTarget } from './scale-rounds.js';
import { startSpanSink } from './span-sink.js';
import { likeStorm } from './storm.js';
import { measureUpload } from './upload.js';
import { runWrk, type WrkResult } from './wrk.js';
import { measureWritesApart, writeCostNotes } from './write-costs.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;
const settings = quick
  ? {
      small: 10_000, large: 100_000, seconds: 3, hopSeconds: 2, feedSeconds: 3, writeSeconds: 3, uploadMb: 200, listWarmWindows: 10,
      push: { connections: 1_000, messagesPerSecond: 100, seconds: 3 }, pollRounds: { rounds: 3, callsPerRound: 100 },
    }
  : {
      small: 10_000, large: 1_000_000, seconds: 15, hopSeconds: 10, feedSeconds: 10, writeSeconds: 10, uploadMb: 200, listWarmWindows: 24,
      push: { connections: 5_000, messagesPerSecond: 200, seconds: 10 }, pollRounds: { rounds: 5, callsPerRound: 200 },
    };
const FEED_CONNECTIONS = 64;
/**
 * Random likes, follows, comments and messages: few connections, so that a write seldom waits on its counter rows' or
 * conversation's locks (the figure is what a write costs, not contention); every script runs twice to warm up, then
 * each is measured. The services ask again for each video or user they remember once its minute is up
 * (REMEMBERED_TTL_MS), so a full run measures each script over that whole minute: shorter windows land on the
 * re-asking or between it and differ by up to a half.
 */
const WRITES = { connections: 16, warmRuns: 2, runs: quick ? 1 : Math.ceil(REMEMBERED_TTL_MS / 1_000 / settings.writeSeconds) };
/**
 * Rounds of the scale comparison, an even count so each scale runs first as often as second; its ratios are the medians.
 * Quick mode runs two, as it does of the feed and hop comparisons: that keeps it under five minutes.
 */
const SCALE_ROUNDS = quick ? 2 : 4;
/** Rounds of the hop comparison, every variant once in each; its ratios are the medians. Quick mode runs two. */
const HOP_ROUNDS = quick ? 2 : 3;
/** Rounds of the mesh against the in-process baseline, each first as often as second; the lower middle round counts. */
const FEED_ROUNDS = quick ? 2 : 4;
const wrkScript = (name: string) => join(REPO_ROOT, 'deploy', 'wrk', `${name}.lua`);
const log = (line: string) => process.stderr.write(`${line}\n`);
const percent = (share: number) => `${Math.round(share * 100)}%`;
/** The favorite lists' warm-up ends at the first window whose caches' hit rate rose less than a point. */
const LIST_WARM_MIN_RISE = 0.01;

/** A run before the measured ones: the first seconds of a process are JIT, pool set-up and a cold cache. */
async function warmUp({ url, env }: ScaleTarget, script: string): Promise<void> {
  await runWrk({ url, script: wrkScript(script), env, connections: FEED_CONNECTIONS, durationSec: Math.max(2, Math.round(settings.seconds / 2)) });
}

/** Warm-up windows of `script` against a mesh until its caches settle; each window logged as it ends. */
async function warmCaches(target: ScaleTarget, mesh: RunningMesh, label: string, script: string) {
  const warm = await warmUntilSettled(
    () => runWrk({ url: target.url, script: wrkScript(script), env: target.env, connections: FEED_CONNECTIONS, durationSec: settings.seconds }),
    () => meshCacheLookups(mesh),
    { minRise: LIST_WARM_MIN_RISE, maxWindows: settings.listWarmWindows },
    ({ hitRate, result }, index) =>
      log(`  ${script} warm-up at ${label}, window ${index}: ${percent(hitRate)} of lookups cached, ${Math.round(result.rps)} req/s, p50 ${round(result.p50Ms)} ms`),
  );
  if (!warm.settled) log(`  ${script} at ${label}: the caches were still filling after ${warm.windows.length} windows; measuring anyway`);
  return { ...warm, label, seconds: warm.windows.length * settings.seconds };
}

async function measureOnce({ url, env }: ScaleTarget, script: string, durationSec = settings.seconds): Promise<WrkResult> {
  const result = await runWrk({ url, script: wrkScript(script), env, connections: FEED_CONNECTIONS, durationSec });
  // Reported, not fatal: a figure with failed answers is printed with their count next to it.
  if (result.errors > 0) log(`  ${script}: ${result.errors} of ${result.requests} answers failed (timeouts or status_code != 0)`);
  return result;
}

async function seeded(server: { url: string; pid?: number }, videos: number): Promise<{ url: string; scale: Scale; warm: { dataMb: number; poolDataMb: number } }> {
  const scale = scaleFor(videos);
  const name = benchDatabaseName(countLabel(videos));
  const url = await ensureDatabase(server.url, name);
  log(`seeding ${name} (${JSON.stringify(scale)}); a complete database is reused`);
  await seed(url, scale, log, replacerFor(server, name));
  const warm = await warmBufferPool(url);
  log(`  read every index of ${name} (${warm.dataMb} MB); the buffer pool now holds ${warm.poolDataMb} MB`);
  return { url, scale, warm };
}

/** The bench's database server with both scales seeded, read into its buffer pool and (its own server) flushed. */
async function seededServer(hooks: Hooks) {
  const server = await benchServer(hooks, log);
  const small = await seeded(server, settings.small);
  const large = await seeded(server, settings.large);
  // Only the bench's own server is told to flush: a given server's settings are not the bench's to change.
  if (server.ownPoolMb !== undefined) {
    const flushStarted = Date.now();
    const settled = await flushSeedWrites(large.url);
    const seconds = Math.round((Date.now() - flushStarted) / 1000);
    log(settled ? `  the seeded pages are on disk (${seconds} s)` : `  InnoDB was still writing seeded pages after ${seconds} s; measuring anyway`);
  }
  return { server, small, large };
}

const deliveryLatency = ({ p50, p99, max }: DeliveryLatency) => ({ p50: round(p50, 1), p99: round(p99, 1), max: round(max, 1) });

const roundFigures = ({ rounds }: ScaleComparison) =>
  rounds.map((r) => ({ small: latency(r.small), large: latency(r.large), ratio: round(r.ratio) }));

const warmFigures = ({ windows, settled }: { windows: WarmWindow[]; settled: boolean }) => ({
  settled,
  windows: windows.map((w) => ({ hit_rate: round(w.hitRate), ...latency(w.result) })),
});

const hooks = new Hooks();
process.once('SIGINT', () => void hooks.run().then(() => process.exit(130)));
try {
  const started = Date.now();
  log('building: tsc -b (the apps and libs as production runs them) and the bench servers, while the databases are seeded');
  // tsc keeps one core busy; seeding (from the sources) and the buffer pool's warm-up use the other meanwhile. Nothing
  // is measured until both are done, and a failed build fails the bench without waiting for the seed.
  const [, { server, small, large }] = await Promise.all([buildForBench(), seededServer(hooks)]);
  const sink = await startSpanSink(hooks);
  const redis = await startPrivateRedis(hooks);
  log(`mesh: ${meshServices().join(', ')} behind the gateway; MariaDB ${new URL(server.url).host}, private Redis ${redis.url}`);

  log(
    `hop: bare Fastify, libs/mesh (traced, one trace in ten, untraced), stock tRPC adapter + httpLink, Moleculer TCP (wrk -c50, one at a time, ${HOP_ROUNDS} rounds)`,
  );
  const hops = await runHops(settings.hopSeconds, HOP_ROUNDS, sink.url, hooks);

  const mesh = await startMesh(hooks, { databaseUrl: small.url, redisUrl: redis.url, otlpUrl: sink.url, compiled: true });
  const smallTarget = { url: mesh.gateway.url, env: await wrkEnv(mesh, small.scale) };
  log('in-process baseline: the same gateway routes and service routers in one process, same database and Redis');
  const inprocessHooks = new Hooks();
  hooks.after(() => inprocessHooks.run());
  const inprocess = await startScript(
    inprocessHooks,
    './inprocess/server.ts',
    await freePort(),
    { DATABASE_URL: small.url, REDIS_URL: redis.url, STORAGE_DIR: mesh.storageDir, JWT_SECRET: 'unused-by-the-feed', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'inprocess' },
    { tracing: true },
  );
  const feedTargets = { mesh: smallTarget, inprocess: { url: inprocess.url, env: {} } };
  log(`small scale: the feed through the mesh and in one process, alternately, ${FEED_ROUNDS} rounds (wrk -c${FEED_CONNECTIONS})`);
  for (const target of Object.values(feedTargets)) await warmUp(target, 'feed');
  const feedVsInprocess = await compareThroughput(feedTargets, 'feed', FEED_ROUNDS, (target, script) => measureOnce(target, script, settings.feedSeconds));
  await inprocessHooks.run();

  log('like storm: 1,000 concurrent like/unlike/follow/unfollow, then counters against rows');
  const storm = await likeStorm(mesh, small.url, small.scale.users);
  if (storm.failed > 0) {
    log(`  like storm: ${storm.failed} of ${storm.requests} requests refused:`);
    for (const [kind, count] of Object.entries(storm.failures)) log(`    ${count} × ${kind}`);
  }
  log(`upload: ${settings.uploadMb} MB through the gateway vs a raw storage PUT`);
  const upload = await measureUpload(mesh, settings.uploadMb);
  // The large database gets a mesh of its own (and a Redis: cache keys do not name the database) next to the small
  // one, so the two scales are measured alternately in the same minutes. It starts while the writes' mesh does, and
  // idles through their runs, which wait for it to be up.
  const sink2 = await startSpanSink(hooks);
  const redis2 = await startPrivateRedis(hooks);
  const largeMeshStarting = startMesh(hooks, { databaseUrl: large.url, redisUrl: redis2.url, otlpUrl: sink2.url, compiled: true });
  largeMeshStarting.catch(() => undefined); // awaited below; a failed start fails the bench there
  log(`writes: random likes, follows, comments and messages (wrk -c${WRITES.connections}) on a mesh over a ${countLabel(settings.small)} database of their own, CPU per request by process`);
  const writes = await measureWritesApart(hooks, server, settings.small, sink.url, { ...WRITES, seconds: settings.writeSeconds }, largeMeshStarting);
  const largeMesh = await largeMeshStarting;
  const targets = { small: smallTarget, large: { url: largeMesh.gateway.url, env: await wrkEnv(largeMesh, large.scale) } };
  log(`scales: feed and favorite lists at ${countLabel(settings.small)} and ${countLabel(settings.large)} videos, alternately, ${SCALE_ROUNDS} rounds`);
  // Each comparison right after its own warm-up: warmed before the feed's rounds, the lists' cache entries expired
  // during them (two minutes against what was then a 60 s TTL), and the 1M Redis spent the feed's rounds expiring
  // them.
  for (const target of [targets.small, targets.large]) await warmUp(target, 'feed');
  const feedScales = await compareScales(targets, 'feed', SCALE_ROUNDS, measureOnce);
  const listWarmUps = {
    small: await warmCaches(targets.small, mesh, countLabel(settings.small), 'favorite-list'),
    large: await warmCaches(targets.large, largeMesh, countLabel(settings.large), 'favorite-list'),
  };
  // The small mesh idled through the large one's warm-up (minutes at 1M), and in three runs of three its first round
  // after that served half to four fifths of its later rounds' lists (every process spending more CPU per list, where
  // that was measured): it is woken before the rounds start.
  await warmUp(targets.small, 'favorite-list');
  const lookupsBefore = { small: await meshCacheLookups(mesh), large: await meshCacheLookups(largeMesh) };
  // Both meshes share the database server but run one after the other, so each run is charged with what it spent.
  const listCosts = new ScaleCostTally(hooks, {
    small: { processes: meshProcesses(mesh, server.pid, redis.pid()), redisUrl: redis.url, databaseUrl: small.url },
    large: { processes: meshProcesses(largeMesh, server.pid, redis2.pid()), redisUrl: redis2.url, databaseUrl: large.url },
  });
  const favoriteScales = await compareScales(targets, 'favorite-list', SCALE_ROUNDS, (target, script) =>
    listCosts.measure(target === targets.small ? 'small' : 'large', () => measureOnce(target, script)),
  );
  const listCostFigures = listCosts.costs();
  const favoriteCaches = {
    small: cacheShares(lookupsBefore.small, await meshCacheLookups(mesh)),
    large: cacheShares(lookupsBefore.large, await meshCacheLookups(largeMesh)),
  };
  // What the large mesh's caches hold after its share of the bench: the memory side of the TTL.
  const largeRedis = await redisFootprint(redis2.url);
  log(`chat push poll at ${countLabel(settings.large)}: inbox for ${POLL_USERS} users with nothing new, read by time vs by user`);
  const chatPoll = await measureChatPoll(largeMesh.apps.get('message')!.url, large.scale.users, settings.pollRounds.rounds, settings.pollRounds.callsPerRound);
  const push = settings.push;
  log(
    `chat push delivery at ${countLabel(settings.large)}: ${push.connections} connections, ${push.messagesPerSecond} messages/s for ${push.seconds} s ` +
      'through their gateway, then as many straight to the message service',
  );
  const pushDelivery = await measurePushDelivery(largeMesh, large.scale.users, push);
  if (pushDelivery.failedSends > 0) log(`  push delivery: ${pushDelivery.failedSends} sends failed, first: ${pushDelivery.firstFailure}`);
  const cacheTtlSeconds = CacheEnv.pick({ CACHE_TTL_SECONDS: true }).parse(process.env).CACHE_TTL_SECONDS;
  await hooks.run();

  const scaleNote = quick
    ? `QUICK MODE: the *_1m_over_10k ratios compare ${countLabel(settings.large)} videos with ${countLabel(settings.small)} (not 1M); wrk runs ${settings.seconds} s`
    : `full mode: 1M videos / 10M favorites, follows and comments against 10k videos; wrk runs ${settings.seconds} s`;
  const scaleRoundsNote = `the *_1m_over_10k ratios are medians of ${SCALE_ROUNDS} rounds, each measuring both scales' meshes one after the other, in turns first`;
  const feedRoundsNote = `mesh_vs_inprocess and its latencies are the lower middle of ${FEED_ROUNDS} rounds of ${settings.feedSeconds} s runs, each round measuring the mesh and the in-process server one after the other, in turns first`;
  const hopRoundsNote = `the hop ratios are medians of ${HOP_ROUNDS} rounds of ${settings.hopSeconds} s runs, each round measuring the bare route and every hop one after the other`;
  const results: BenchResults = {
    mode: quick ? 'quick' : 'full',
    measured_at: new Date().toISOString(),
    mesh_vs_inprocess: round(feedVsInprocess.ratio),
    mesh_feed: latency(feedVsInprocess.medianRound.mesh),
    inprocess_feed: latency(feedVsInprocess.medianRound.inprocess),
    hop_vs_bare: round(hops.ratios.mesh),
    hop_vs_bare_sampled_10pct: round(hops.ratios.meshSampled),
    hop_vs_bare_untraced: round(hops.ratios.meshUntraced),
    stock_trpc_hop_vs_bare: round(hops.ratios.stockTrpc),
    moleculer_hop_vs_bare: round(hops.ratios.moleculer),
    hop_cpu_us_per_request: Object.fromEntries(
      Object.entries(hops.cpu).map(([variant, { caller, callee }]) => [variant, { caller: round(caller, 1), callee: callee === undefined ? undefined : round(callee, 1) }]),
    ) as BenchResults['hop_cpu_us_per_request'],
    feed_p50_1m_over_10k: round(feedScales.ratio),
    favorite_list_p50_1m_over_10k: round(favoriteScales.ratio),
    like_storm_exact: storm.exact,
    upload_rss_growth_mb: round(upload.rssGrowthMb, 1),
    upload_vs_raw_put: round(upload.ratio),
    chat_poll_ms: { users: chatPoll.users, messages: chatPoll.messages, by_time: round(chatPoll.byTimeMs), by_user: round(chatPoll.byUserMs) },
    push_delivery_ms: {
      connections: pushDelivery.connections,
      messages: pushDelivery.messages,
      at_once: deliveryLatency(pushDelivery.atOnce),
      polled: deliveryLatency(pushDelivery.polled),
      missing: pushDelivery.missing,
      duplicates: pushDelivery.duplicates,
      failed_sends: pushDelivery.failedSends,
      idle_cpu_percent: { gateway: round(pushDelivery.idleCpuPercent.gateway, 1), message: round(pushDelivery.idleCpuPercent.message, 1) },
    },
    failed_answers: failedAnswers({
      feedVsInprocess: feedVsInprocess.rounds,
      hopRounds: hops.rounds,
      feedScales: feedScales.rounds,
      favoriteScales: favoriteScales.rounds,
      stormFailed: storm.failed,
      pushFailedSends: pushDelivery.failedSends,
    }),
    notes: [
      scaleNote,
      scaleRoundsNote,
      hopRoundsNote,
      feedRoundsNote,
      `${cpus().length} cores shared with whatever else runs on this machine; figures move with its load`,
      'every process runs the tsc build, as production does; libs/mesh processes (hop, mesh feed, in-process feed) trace every request to a local OTLP sink with Prometheus metrics on (the hop also with one trace in ten, and untraced); bare, stock tRPC and Moleculer run without',
      server.ownPoolMb === undefined
        ? `MariaDB: DATABASE_URL's server, as it is configured`
        : `MariaDB: the bench's own, buffer pool ${server.ownPoolMb} MB; every index of both databases read once before the runs`,
      'rate limits off (RATE_LIMITS=off); feed and lists measured with deploy/wrk scripts that check every status_code',
      `favorite lists: the services' caches answered ${percent(favoriteCaches.small.hitRate)} of lookups at ${countLabel(settings.small)} and ${percent(favoriteCaches.large.hitRate)} at ${countLabel(settings.large)}` +
        (favoriteCaches.large.declinedShare > 0 ? `; ${percent(favoriteCaches.large.declinedShare)} of the misses there were not written back (CACHE_ADMIT=repeat-miss)` : ''),
      `favorite lists measured once each scale's caches settled (the hit rate rising less than ${percent(LIST_WARM_MIN_RISE)} from one ${settings.seconds} s window of lists to the next): ` +
        [listWarmUps.small, listWarmUps.large]
          .map((warm) => `${warm.seconds} s at ${warm.label} (${warm.windows.map((w) => percent(w.hitRate)).join(', ')}${warm.settled ? '' : ', still rising'})`)
          .join(', '),
      ...scaleCostNotes('favorite lists', { small: countLabel(settings.small), large: countLabel(settings.large) }, listCostFigures),
      `the ${countLabel(settings.large)} mesh's Redis then held ${largeRedis.keys} keys in ${round(largeRedis.usedMb, 1)} MB (cache entries live ${cacheTtlSeconds} s)`,
      ...writeCostNotes(writes.costs, `(${writes.database}, wrk -c${WRITES.connections}, after ${WRITES.warmRuns} runs to warm up, measured in ${WRITES.runs === 1 ? 'one run' : `${WRITES.runs} runs`} of ${settings.writeSeconds} s)`),
    ],
    details: {
      scales: { small: small.scale, large: large.scale },
      // Index and row data of the large database against what the buffer pool held after reading it once.
      large_database: { own_server: server.ownPoolMb !== undefined, data_mb: large.warm.dataMb, buffer_pool_data_mb: large.warm.poolDataMb },
      // Per round, mesh and in-process (the first of them in turns): the lower middle round is the one reported above.
      feed_vs_inprocess_rounds: feedVsInprocess.rounds.map((r) => ({ mesh: latency(r.mesh), inprocess: latency(r.inprocess), ratio: round(r.ratio) })),
      // Per round, every variant: the hop ratios above are the medians of each round's req/s over its bare route's.
      hop_rounds: hops.rounds.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, latency(v)]))),
      // Per round, small and large (the first of them in turns): the ratios above are the medians of these rounds' p50 ratios.
      feed_scales: roundFigures(feedScales),
      favorite_list_scales: roundFigures(favoriteScales),
      // Over the favorite-list rounds: lookups answered from Redis, and misses the admission rule did not write back.
      favorite_list_caches: {
        small: { hit_rate: round(favoriteCaches.small.hitRate), declined_share: round(favoriteCaches.small.declinedShare) },
        large: { hit_rate: round(favoriteCaches.large.hitRate), declined_share: round(favoriteCaches.large.declinedShare) },
        // The large mesh's Redis at the end of the lists' rounds, and how long its entries live.
        large_redis: { keys: largeRedis.keys, used_mb: round(largeRedis.usedMb, 1), ttl_seconds: cacheTtlSeconds },
      },
      // Over the lists' rounds at each scale, what a list cost: CPU µs of every process, Redis commands, database
      // statements. Where the large scale's extra cost goes.
      favorite_list_costs: listCostFigures,
      // The lists' warm-up windows at each scale, from a cold cache until its hit rate settled.
      favorite_list_warmup: { small: warmFigures(listWarmUps.small), large: warmFigures(listWarmUps.large) },
      like_storm: storm,
      // Random writes of each kind on a warm mesh of their own: each run, and what a request cost every process.
      write_costs: { database: writes.database, ...WRITES, seconds: settings.writeSeconds, scripts: writes.costs },
      upload: {
        bytes: upload.bytes,
        rounds: upload.rounds.map((r) => ({ uploadMBps: round(r.uploadMBps, 1), rawPutMBps: round(r.rawPutMBps, 1) })),
      },
      seconds: Math.round((Date.now() - started) / 1000),
    },
  };
  const file = await writeResults(results);
  process.stdout.write(`\n${table(results)}\n\nwritten to ${file}\n`);
} finally {
  await hooks.run();
}
