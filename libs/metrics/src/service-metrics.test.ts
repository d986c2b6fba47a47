import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheCounters, markOutcome, metricsFor, outcomeOf } from '@douyin/metrics';

test('names follow douyin_<service>_<what>_<unit>, one registry per service, process metrics included', async () => {
  const metrics = metricsFor('video-x');
  assert.equal(metricsFor('video-x'), metrics, 'the same service gets the same registry');
  metrics.uploadBytes.inc(1024);
  const text = await metrics.exposition();
  assert.match(text, /^douyin_video_x_upload_bytes_total 1024$/m);
  assert.match(text, /^douyin_video_x_process_resident_memory_bytes \d+/m);
  const names = [...text.matchAll(/^# TYPE (\S+) (\w+)/gm)].map((m) => [m[1]!, m[2]!] as const);
  for (const [name, type] of names) {
    assert.match(name, /^douyin_video_x_/);
    if (type === 'counter') assert.match(name, /_total$/, `${name}: counters end in _total`);
  }
  assert.doesNotMatch(await metricsFor('other').exposition(), /video_x/);
});

test('pools are summed at scrape time and dropped once their reader says they are gone', async () => {
  const metrics = metricsFor('pool-test');
  let open = true;
  metrics.trackPool(() => (open ? { max: 10, open: 4, in_use: 3, waiting: 1 } : undefined));
  metrics.trackPool(() => ({ max: 5, open: 1, in_use: 0, waiting: 0 }));
  const states = async () => Object.fromEntries((await metrics.dbPoolConnections.get()).values.map((v) => [v.labels.state, v.value]));
  assert.deepEqual(await states(), { max: 15, open: 5, in_use: 3, waiting: 1 });
  open = false;
  assert.deepEqual(await states(), { max: 5, open: 1, in_use: 0, waiting: 0 });
});

test('an outcome marked by the app wins over the HTTP status; cache counters feed the cache metrics', async () => {
  const req = {};
  assert.deepEqual(outcomeOf(req, { statusCode: 503 }), { code: '503', outcome: 'server_error' });
  markOutcome(req, { code: '40401', outcome: 'client_error' });
  assert.deepEqual(outcomeOf(req, { statusCode: 200 }), { code: '40401', outcome: 'client_error' });

  const metrics = metricsFor('cache-test');
  const counters = cacheCounters(metrics);
  counters.hit('counts', 3);
  counters.miss('counts', 2);
  counters.declined('counts', 1);
  counters.failure('counts', 'read');
  counters.pendingInvalidations(4);
  const text = await metrics.exposition();
  assert.match(text, /douyin_cache_test_cache_hits_total\{cache="counts"\} 3/);
  assert.match(text, /douyin_cache_test_cache_misses_total\{cache="counts"\} 2/);
  assert.match(text, /douyin_cache_test_cache_declined_total\{cache="counts"\} 1/);
  assert.match(text, /douyin_cache_test_cache_failures_total\{cache="counts",operation="read"\} 1/);
  assert.match(text, /douyin_cache_test_cache_pending_invalidations 4/);
});

test('request latencies are told apart up to minutes: an upload over a slow link is not read as 10 s', async () => {
  const metrics = metricsFor('gateway-buckets');
  metrics.httpDuration.observe({ method: 'POST', route: '/douyin/publish/action/', outcome: 'success' }, 95);
  const text = await metrics.exposition();
  const bucket = (le: string) => Number(text.match(new RegExp(`http_request_duration_seconds_bucket\\{le="${le}",[^}]*\\} (\\d+)`))?.[1]);
  assert.deepEqual([bucket('60'), bucket('120'), bucket('300')], [0, 1, 1]);
});
