import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveJwtSecret } from '@douyin/auth';
import { EMBEDDED_PORTS, loadConfig, serviceEnv, type MeshApp } from '@douyin/config';
import { GatewayEnv } from '../../apps/gateway/src/config.js';
import { APPS, ROOT, envNamesOf, readText, readYaml, shutdownGraceMsOf } from './workspace.js';

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  stop_grace_period?: string;
  ports?: string[];
}
const compose = readYaml('docker-compose.yml') as { services: Record<string, ComposeService> };
const INFRA = ['mysql', 'redis', 'minio', 'consul', 'jaeger', 'prometheus', 'grafana'];

test('compose runs the infrastructure and every app from the one root Dockerfile', () => {
  for (const name of [...INFRA, ...APPS]) assert.ok(compose.services[name], `service ${name}`);
  for (const app of APPS) {
    const service = compose.services[app]!;
    assert.equal(service.build, '.', `${app} builds the root Dockerfile`);
    assert.deepEqual(service.command, [app]);
  }
});

test('every app variable in compose is one its config schema reads, on the app embedded port', async () => {
  for (const app of APPS) {
    const known = await envNamesOf(app);
    const env = compose.services[app]!.environment ?? {};
    for (const name of Object.keys(env)) assert.ok(known.has(name), `${app}: ${name} is not in its config schema`);
    assert.equal(env.PORT, String(EMBEDDED_PORTS[app as MeshApp]));
    assert.equal(env.NODE_ENV, 'production');
    assert.equal(env.CONSUL_HTTP_ADDR, 'http://consul:8500');
    assert.match(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '', /^http:\/\/jaeger:4318$/);
    if (known.has('DATABASE_URL')) assert.match(env.DATABASE_URL ?? '', /^mysql:\/\/.+@mysql:3306\//, `${app} uses the compose MySQL`);
  }
});

test('the JWT secret and the metrics token are generated once at first start, never committed', (t) => {
  const generator = compose.services.secrets!;
  const gateway = compose.services.gateway!;
  const { JWT_SECRET_FILE: jwtFile = '', METRICS_TOKEN_FILE: tokenFile = '' } = generator.environment ?? {};
  assert.equal(gateway.environment?.JWT_SECRET, undefined);
  assert.equal(gateway.environment?.JWT_SECRET_FILE, jwtFile);
  for (const file of [jwtFile, tokenFile]) assert.ok(file.startsWith('/data/') && generator.volumes?.includes('app-data:/data'), file);
  for (const app of APPS) {
    const service = compose.services[app]!;
    assert.equal(service.environment?.METRICS_TOKEN_FILE, tokenFile, app);
    assert.ok(service.volumes?.includes('app-data:/data'), app);
    assert.equal(service.depends_on?.secrets?.condition, 'service_completed_successfully', app);
  }
  // Prometheus reads the token from the same volume, as its scrape config says.
  const prometheus = compose.services.prometheus!;
  const mount = prometheus.volumes?.find((v) => v.startsWith('app-data:'))?.split(':')[1] ?? '';
  const scrape = (readYaml('deploy/prometheus/prometheus.yml') as { scrape_configs: { authorization?: { credentials_file?: string } }[] }).scrape_configs[0];
  assert.equal(scrape?.authorization?.credentials_file, `${mount}/${tokenFile.slice('/data/'.length)}`);

  // The generator's own command, run here against files of this test's.
  const dir = mkdtempSync(join(tmpdir(), 'douyin-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { JWT_SECRET_FILE: join(dir, 'jwt-secret'), METRICS_TOKEN_FILE: join(dir, 'metrics-token') };
  const [command, ...args] = generator.entrypoint!;
  const generate = () => spawnSync(command === 'node' ? process.execPath : command!, args, { env, encoding: 'utf8' });
  assert.equal(generate().stdout.match(/generated/g)?.length, 2);
  const written = () => [readFileSync(env.JWT_SECRET_FILE, 'utf8'), readFileSync(env.METRICS_TOKEN_FILE, 'utf8')];
  const [secret, token] = written();
  assert.deepEqual([statSync(env.JWT_SECRET_FILE).mode & 0o777, statSync(env.METRICS_TOKEN_FILE).mode & 0o777], [0o600, 0o644]);
  const configured = loadConfig(GatewayEnv, env);
  assert.equal(resolveJwtSecret({ secret: configured.auth.secret, production: true, dataDir: dir }), secret);
  assert.equal(configured.service.metricsToken, token);
  assert.notEqual(secret, token);
  assert.equal(generate().stdout.match(/kept/g)?.length, 2);
  assert.deepEqual(written(), [secret, token], 'a restart keeps both, and with the secret every token issued');
});

test('a stopping app has longer than its own drain before compose kills it', async () => {
  for (const app of APPS) {
    const drainMs = await shutdownGraceMsOf(app, compose.services[app]!.environment);
    const grace = /^(\d+)s$/.exec(compose.services[app]!.stop_grace_period ?? '');
    assert.ok(grace && Number(grace[1]) * 1000 > drainMs, `${app}: stop_grace_period ${compose.services[app]!.stop_grace_period}, drain ${drainMs} ms`);
  }
  // A publish may take its whole budget: the apps that serve one wait for it.
  assert.ok((await shutdownGraceMsOf('gateway')) > 60_000 && (await shutdownGraceMsOf('video')) > 60_000);
});

test('health checks and start order: infrastructure healthy before services, services healthy before the gateway', () => {
  for (const name of ['mysql', 'redis', 'minio', 'consul', ...APPS]) {
    assert.ok(compose.services[name]?.healthcheck?.test.length, `${name} has a health check`);
  }
  for (const app of APPS) assert.match(compose.services[app]!.healthcheck!.test.join(' '), /\/readyz/);
  for (const app of APPS.filter((a) => a !== 'gateway')) {
    const deps = compose.services[app]!.depends_on ?? {};
    for (const infra of ['mysql', 'consul']) assert.equal(deps[infra]?.condition, 'service_healthy', `${app} waits for ${infra}`);
    assert.equal(compose.services.gateway?.depends_on?.[app]?.condition, 'service_healthy', `the gateway waits for ${app}`);
  }
});

test('the cache\'s Redis keeps nothing on disk, so a restart cannot bring back entries deleted since a snapshot', () => {
  assert.deepEqual(compose.services.redis?.command, ['redis-server', '--save', '', '--appendonly', 'no']);
});

test('only what phones reach is published beyond this machine: the gateway and MinIO\'s S3 API', () => {
  const published = Object.entries(compose.services).flatMap(([name, service]) =>
    (service.ports ?? []).filter((port) => !port.startsWith('127.0.0.1:')).map((port) => `${name} ${port}`),
  );
  assert.deepEqual(published.sort(), ['gateway 8080:8080', 'minio 9000:9000']);
});

test('mounted configuration exists: Prometheus config, Grafana provisioning and dashboards', () => {
  const mounts = Object.values(compose.services).flatMap((s) => s.volumes ?? []).filter((v) => v.startsWith('./'));
  assert.ok(mounts.length >= 3);
  for (const mount of mounts) assert.ok(existsSync(join(ROOT, mount.split(':')[0]!)), mount);
});

test('the Dockerfile is multi-stage, builds with tsc -b and starts any app behind the telemetry preload', () => {
  const dockerfile = readText('Dockerfile');
  assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2, 'multi-stage');
  assert.match(dockerfile, /tsc -b/);
  assert.match(dockerfile, /--import @douyin\/telemetry\/preload .*apps\/\$0\/dist\/src\/main\.js/);
  assert.match(dockerfile, /npm ci/);
});
