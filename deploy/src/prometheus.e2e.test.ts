import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { apkQuery, freePort, freshDatabase, mediaFixtures, startApp, startPrivateRedis, type AppProcess } from '@douyin/testing';
import { APPS, dashboards, readYaml } from './workspace.js';

type Body = { status_code: number; status_msg: string; user_id?: number; token?: string; video_list?: { id: number; favorite_count: number }[] };

/**
 * Debian's prometheus (2.42, no consul_sd_configs) on the shipped http_sd config, scraping every second with the
 * apps' metrics token, read from a file of the test's where the config names the deployment's.
 */
async function startPrometheus(t: { after(fn: () => unknown): void }, dir: string, sdUrl: string, metricsToken: string): Promise<string> {
  type Authorization = { type: string; credentials_file: string };
  const config = readYaml('deploy/prometheus/prometheus-http-sd.yml') as {
    global: Record<string, string>;
    scrape_configs: { authorization: Authorization; http_sd_configs: { url: string; refresh_interval: string; authorization: Authorization }[] }[];
  };
  config.global = { scrape_interval: '1s', evaluation_interval: '1s' };
  const [scrape] = config.scrape_configs;
  const sd = scrape!.http_sd_configs[0]!;
  Object.assign(sd, { url: sdUrl, refresh_interval: '1s' });
  const tokenFile = join(dir, 'metrics-token');
  writeFileSync(tokenFile, metricsToken);
  for (const authorization of [scrape!.authorization, sd.authorization]) {
    assert.equal(authorization.credentials_file, '/secrets/metrics-token');
    authorization.credentials_file = tokenFile;
  }
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const args = [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`];
  const child = spawn('prometheus', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  const exited = new Promise((resolve) => child.once('close', resolve));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; !(await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)); i++) {
    assert.ok(i < 100 && child.exitCode === null, `prometheus did not start:\n${output}`);
    await sleep(100);
  }
  return url;
}

async function query(prometheus: string, expr: string): Promise<unknown[]> {
  const res = await fetch(`${prometheus}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  assert.equal(body.status, 'success', `${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

const METRICS_TOKEN = 'e2e-metrics-token-0123456789';

test('Prometheus discovers the running mesh through /sd/prometheus and every dashboard query returns data', { timeout: 180_000 }, async (t) => {
  const db = await freshDatabase(t, 'sqlite');
  const [redis, media] = await Promise.all([startPrivateRedis(t), mediaFixtures(t)]);
  const services = APPS.filter((app) => app !== 'gateway');
  const ports = new Map(await Promise.all(services.map(async (app) => [app, await freePort()] as const)));
  // A relation instance that never answers: its breaker opens while the live one keeps serving.
  const dead = await freePort();
  const staticServices = services.map((app) => `${app}=127.0.0.1:${ports.get(app)}${app === 'relation' ? `,127.0.0.1:${dead}` : ''}`).join(';');
  const env = {
    DATA_DIR: db.dataDir,
    DATABASE_URL: undefined,
    CONSUL_HTTP_ADDR: undefined,
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    OTEL_TRACES_EXPORTER: undefined,
    STATIC_SERVICES: staticServices,
    REDIS_URL: redis.url,
    METRICS_TOKEN: METRICS_TOKEN,
  };
  const running = new Map<string, AppProcess>(
    await Promise.all(
      services.map(async (app) => {
        // One call at a time per user procedure and no queue, so a burst shows the concurrency limit refusing calls;
        // the video service writes back only repeated misses, so the misses it does not write back are charted too.
        const extra =
          app === 'user' ? { RPC_CONCURRENCY_LIMIT: '1', RPC_QUEUE_LIMIT: '0' } : app === 'video' ? { CACHE_ADMIT: 'repeat-miss' } : {};
        return [app, await startApp(t, app, { ...env, ...extra, PORT: String(ports.get(app)) }, { readyTimeoutMs: 60_000 })] as const;
      }),
    ),
  );
  const gateway = await startApp(t, 'gateway', { ...env, RATE_LIMIT_REGISTER_IP: '2/min' }, { readyTimeoutMs: 60_000 });
  const prometheus = await startPrometheus(t, db.dataDir, `${gateway.url}/sd/prometheus`, METRICS_TOKEN);
  assert.equal((await fetch(`${gateway.url}/metrics`)).status, 401, 'no scrape without the token');
  const scraped = async () => ((await query(prometheus, 'count(up == 1)'))[0] as { value?: [number, string] } | undefined)?.value?.[1];
  for (let i = 0; Number(await scraped()) !== APPS.length; i++) {
    const targets = await (await fetch(`${prometheus}/api/v1/targets`)).text();
    assert.ok(i < 150, `not every app was discovered and scraped: ${targets}`);
    await sleep(200);
  }

  const apk = async (method: 'GET' | 'POST', path: string, params: Record<string, string | number> = {}, body?: FormData): Promise<Body> => {
    const res = await fetch(`${gateway.url}${path}?${apkQuery(params)}`, { method, body });
    return (await res.json()) as Body;
  };
  const alice = await apk('POST', '/douyin/user/register/', { username: 'alice', password: 'secret1' });
  const bob = await apk('POST', '/douyin/user/register/', { username: 'bob', password: 'secret1' });
  assert.equal((await apk('POST', '/douyin/user/register/', { username: 'carol', password: 'secret1' })).status_code, 42901);
  assert.equal((await apk('POST', '/douyin/user/login/', { username: 'alice', password: 'wrong-password' })).status_code, 40103);
  const form = new FormData();
  form.set('token', alice.token ?? '');
  form.set('title', 'first');
  form.set('data', new Blob([media.mp4], { type: 'video/mp4' }), 'v.mp4');
  assert.equal((await apk('POST', '/douyin/publish/action/', {}, form)).status_code, 0);
  const feed = await apk('GET', '/douyin/feed/', { token: bob.token ?? '' });
  const videoId = feed.video_list?.[0]?.id ?? 0;
  assert.equal((await apk('POST', '/douyin/favorite/action/', { token: bob.token ?? '', video_id: videoId, action_type: 1 })).status_code, 0);
  assert.equal((await apk('POST', '/douyin/comment/action/', { token: bob.token ?? '', video_id: videoId, action_type: 1, comment_text: 'hi' })).status_code, 0);
  // A push connection open from here on: the message sent is delivered on it, and its polls fail once the message
  // service is stopped below.
  const pushClosed = new AbortController();
  t.after(() => pushClosed.abort());
  assert.equal((await fetch(`${gateway.url}/douyin/message/push/?token=${alice.token ?? ''}`, { signal: pushClosed.signal })).status, 200);
  assert.equal((await apk('POST', '/douyin/message/action/', { token: bob.token ?? '', to_user_id: alice.user_id ?? 0, action_type: 1, content: 'hi' })).status_code, 0);
  for (let i = 0; i < 8; i++) {
    await apk('GET', '/douyin/feed/', { token: bob.token ?? '' });
    await apk('GET', '/douyin/comment/list/', { video_id: videoId });
    await apk('GET', '/douyin/user/', { user_id: alice.user_id ?? 0, token: bob.token ?? '' });
  }
  assert.equal((await apk('GET', '/douyin/user/', { user_id: 999_999 })).status_code, 40401);
  for (let round = 0; !(await gatewayRefusedByUser()); round++) assert.ok(round < 20, 'the user service never hit its concurrency limit');
  // A stopped service: the gateway's calls to it fail as unavailable.
  await running.get('message')?.stop();
  assert.equal((await apk('GET', '/douyin/message/chat/', { token: alice.token ?? '', to_user_id: bob.user_id ?? 0 })).status_code, 50303);
  // Redis gone: reads fall back to the database and an unlike's deletes wait for it, both charted.
  await redis.kill();
  assert.equal((await apk('POST', '/douyin/favorite/action/', { token: bob.token ?? '', video_id: videoId, action_type: 2 })).status_code, 0);
  assert.equal((await apk('GET', '/douyin/feed/', { token: bob.token ?? '' })).video_list?.[0]?.favorite_count, 0);

  async function gatewayRefusedByUser(): Promise<boolean> {
    const answers = await Promise.all(Array.from({ length: 20 }, () => apk('POST', '/douyin/user/login/', { username: 'bob', password: 'secret1' })));
    return answers.some((a) => a.status_code === 42901);
  }

  await sleep(3_000); // a few scrapes after the last request
  assert.ok(dashboards().length > 0, 'the dashboards to check');
  let empty = dashboards().flatMap((dashboard) =>
    dashboard.panels.flatMap((panel) =>
      panel.targets.map(({ expr }) => ({
        name: `${dashboard.title} / ${panel.title}`,
        promql: expr.replaceAll('$__rate_interval', '30s').replaceAll('$service', '.+'),
      })),
    ),
  );
  // A rate needs two scrapes of its series, and a series begins with its first event: one that came late (the push
  // hub's first failed poll waits for its tick and the stopped service's drain) gets a few more scrapes to show.
  for (let round = 0; round < 10 && empty.length > 0; round++) {
    if (round > 0) await sleep(1_000);
    const answers = await Promise.all(empty.map(async (q) => ((await query(prometheus, q.promql)).length === 0 ? [q] : [])));
    empty = answers.flat();
  }
  assert.deepEqual(empty.map((q) => `${q.name}: ${q.promql}`), [], 'queries without data');
});
