import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenIssuer } from '@douyin/auth';
import { EMBEDDED_PORTS, type MeshApp } from '@douyin/config';
import { freePort, startApp, type AppProcess } from '@douyin/testing';
import type { NamedProcesses } from './process-cpu.js';
import { PRODUCTION_NODE_OPTIONS, REPO_ROOT, type Hooks } from './processes.js';
import type { Scale } from './seed/scale.js';

export interface RunningMesh {
  gateway: AppProcess;
  apps: Map<MeshApp, AppProcess>;
  /** A signed token for a seeded user, as the gateway checks them. */
  token(userId: number): Promise<string>;
  /** Writes `<user id> <token>` lines for users 1..count, the file deploy/wrk scripts read (TOKENS=...). */
  writeTokens(count: number): Promise<string>;
  /** Where uploads land: the same disk store the gateway writes to. */
  storageDir: string;
}

/** Every app folder with a src/main.ts: services that land later join the bench without a change here. */
export const meshServices = (): MeshApp[] =>
  (Object.keys(EMBEDDED_PORTS) as MeshApp[]).filter((app) => app !== 'gateway' && existsSync(join(REPO_ROOT, 'apps', app, 'src', 'main.ts')));

/**
 * Starts every service and then the gateway as processes on free loopback ports over `databaseUrl` and `redisUrl`,
 * the way production runs them (static discovery, rate limits off so wrk measures the mesh, tracing to `otlpUrl`
 * when given), from the `tsc -b` build when `compiled`.
 */
export async function startMesh(
  hooks: Pick<Hooks, 'after'>,
  opts: { databaseUrl: string; redisUrl: string; otlpUrl?: string; compiled?: boolean },
): Promise<RunningMesh> {
  const scratch = await mkdtemp(join(tmpdir(), 'douyin-bench-'));
  hooks.after(() => rm(scratch, { recursive: true, force: true }));
  const services = meshServices();
  const ports = new Map<MeshApp, number>();
  for (const app of [...services, 'gateway' as const]) ports.set(app, await freePort());
  const secret = randomBytes(32).toString('base64url');
  const storageDir = join(scratch, 'media');
  const shared = {
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    DATA_DIR: scratch,
    STORAGE_DIR: storageDir,
    S3_ENDPOINT: undefined,
    CONSUL_HTTP_ADDR: undefined,
    STATIC_SERVICES: services.map((app) => `${app}=127.0.0.1:${ports.get(app)}`).join(';'),
    OTEL_EXPORTER_OTLP_ENDPOINT: opts.otlpUrl,
    JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    // Run as the image runs them; tests that start the mesh from sources keep the environment's.
    ...(opts.compiled ? { NODE_OPTIONS: PRODUCTION_NODE_OPTIONS } : {}),
  };
  const apps = new Map<MeshApp, AppProcess>();
  const launch = { compiled: opts.compiled, readyTimeoutMs: 60_000 };
  const gatewayPort = ports.get('gateway')!;
  const gatewayEnv = {
    ...shared,
    PORT: String(gatewayPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${gatewayPort}`,
    RATE_LIMITS: 'off',
    MAX_UPLOAD_BYTES: String(512 * 1024 * 1024),
    PUBLISH_TIMEOUT_MS: '300000',
  };
  // All at once, as compose and Kubernetes start them: the gateway needs no service to start, and its start would
  // otherwise leave a core idle after theirs.
  const [gateway] = await Promise.all([
    startApp(hooks, 'gateway', gatewayEnv, launch),
    ...services.map(async (app) => apps.set(app, await startApp(hooks, app, { ...shared, PORT: String(ports.get(app)) }, launch))),
  ]);
  apps.set('gateway', gateway);
  const issuer = createTokenIssuer({ secret, ttlSeconds: 24 * 3600 });
  return {
    gateway,
    apps,
    storageDir,
    token: (userId) => issuer.issue(userId),
    async writeTokens(count) {
      const lines = await Promise.all(Array.from({ length: count }, async (_, i) => `${i + 1} ${await issuer.issue(i + 1)}`));
      const file = join(scratch, 'tokens.txt');
      await writeFile(file, `${lines.join('\n')}\n`);
      return file;
    },
  };
}

/** Every process a mesh's requests cost: its gateway and services, the database server (when known) and its Redis. */
export const meshProcesses = (mesh: RunningMesh, databasePid: number | undefined, redisPid: number): NamedProcesses => ({
  gateway: mesh.gateway.pid,
  ...Object.fromEntries([...mesh.apps].map(([app, { pid }]) => [app, pid])),
  mariadb: databasePid ?? 0,
  redis: redisPid,
});

/** What deploy/wrk scripts need to aim at a mesh over a database seeded at `scale`: tokens and the id ranges. */
export async function wrkEnv(mesh: RunningMesh, scale: Scale): Promise<Record<string, string>> {
  return {
    TOKENS: await mesh.writeTokens(Math.min(scale.users, 1_000)),
    USER_MAX: String(scale.users),
    VIDEO_MAX: String(scale.videos),
    // The action scripts then leave the seed's own likes and follows alone (deploy/wrk/common.lua).
    SEEDED_LIKES: String(scale.favorites / scale.users),
    SEEDED_FOLLOWS: String(scale.follows / scale.users),
  };
}
