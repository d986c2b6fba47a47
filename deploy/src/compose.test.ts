import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EMBEDDED_PORTS, type MeshApp } from '@douyin/config';
import { APPS, ROOT, envNamesOf, readText, readYaml } from './workspace.js';

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
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
  assert.ok(compose.services.gateway?.environment?.JWT_SECRET, 'production refuses to start the gateway without JWT_SECRET');
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
