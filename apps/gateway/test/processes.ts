import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { apkQuery, freePort, startApp, until as waitUntil, type AppProcess, type TestDatabase } from '@douyin/testing';

type After = { after(fn: () => unknown): void };
type Env = Record<string, string | undefined>;

/** Where discovery comes from: a Consul agent, or the static list the gateway is given. */
export type Discovery = { consulUrl: string } | { staticUser: string };

// Every variable that picks a backend is set or removed explicitly, so the developer's shell cannot reroute a test:
// the test's database, a media folder inside its data dir, no S3 and no Redis unless a test adds them.
const storage = (db: TestDatabase) => ({
  DATA_DIR: db.dataDir,
  DATABASE_URL: db.url,
  STORAGE_DIR: join(db.dataDir, 'media'),
  S3_ENDPOINT: undefined,
  REDIS_URL: undefined,
});

const backends = (db: TestDatabase, discovery: Discovery) => ({
  ...storage(db),
  CONSUL_HTTP_ADDR: 'consulUrl' in discovery ? discovery.consulUrl : undefined,
  STATIC_SERVICES: 'staticUser' in discovery ? `user=${discovery.staticUser}` : undefined,
});

export interface LocalMesh {
  gateway: AppProcess;
  /** More gateways in front of the same services, when asked for. */
  otherGateways: AppProcess[];
  /** Every service process by app name. */
  services: Map<string, AppProcess>;
  /** The media folder every process shares, as in `npm start`. */
  storageDir: string;
}

/**
 * `services` as processes on loopback found through a static list, then a gateway in front of them (its
 * PUBLIC_BASE_URL is its own address), as `npm start` runs them, on the test's database. `env` goes to every
 * process; `perApp` adds variables to one of them (the gateway included, and `gateways` - 1 more like it);
 * `firstGateway` adds variables to the first gateway alone.
 */
export async function startLocalMesh(
  t: After,
  db: TestDatabase,
  services: readonly string[],
  opts: { env?: Env; perApp?: Partial<Record<string, Env>>; gateways?: number; firstGateway?: Env } = {},
): Promise<LocalMesh> {
  const ports = new Map(await Promise.all([...services, 'gateway'].map(async (app) => [app, await freePort()] as const)));
  const shared = {
    ...storage(db),
    CONSUL_HTTP_ADDR: undefined,
    STATIC_SERVICES: services.map((app) => `${app}=127.0.0.1:${ports.get(app)}`).join(';'),
    ...opts.env,
  };
  const envOf = (app: string) => ({ ...shared, PORT: String(ports.get(app)), ...opts.perApp?.[app] });
  const started = await Promise.all(services.map(async (app) => [app, await startApp(t, app, envOf(app))] as const));
  const gatewayPorts = [ports.get('gateway')!, ...(await Promise.all(Array.from({ length: (opts.gateways ?? 1) - 1 }, () => freePort())))];
  const [gateway, ...otherGateways] = await Promise.all(
    gatewayPorts.map((port, i) =>
      startApp(t, 'gateway', { PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ...envOf('gateway'), ...(i === 0 ? opts.firstGateway : {}), PORT: String(port) }),
    ),
  );
  return { gateway: gateway!, otherGateways, services: new Map(started), storageDir: shared.STORAGE_DIR };
}

/** A user service process on the test's database. */
export const startUser = (t: After, db: TestDatabase, discovery: Discovery, env: Record<string, string> = {}) =>
  startApp(t, 'user', { ...backends(db, discovery), ...env });

/** A gateway process; it shares DATA_DIR with the services only for its development JWT secret. */
export const startGateway = (t: After, db: TestDatabase, discovery: Discovery, env: Record<string, string> = {}) =>
  startApp(t, 'gateway', { ...backends(db, discovery), ...env });

/** The APK envelope plus whatever the route adds. */
export interface ApkBody {
  status_code: number;
  status_msg: string;
  user_id?: number;
  token?: string;
  user?: { id: number; name: string };
}

const CALL_TIMEOUT_MS = 10_000;

/**
 * One APK call against a gateway at `base`: parameters in the query string, a multipart form and headers if given.
 * Every answer must be HTTP 200 JSON, errors included; bounded, so a call under load that never answers fails its test
 * instead of holding it open.
 */
export async function apkCall<T = ApkBody>(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string | number>,
  { form, headers, timeoutMs = CALL_TIMEOUT_MS }: { form?: { payload: Buffer; headers: Record<string, string> }; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<T> {
  const res = await fetch(`${base}${path}?${apkQuery(params)}`, {
    method,
    body: form?.payload,
    headers: { ...form?.headers, ...headers },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The APK's user routes against a running gateway; every answer must be HTTP 200 JSON, errors included. */
export function apk(gateway: AppProcess) {
  const call = (method: 'GET' | 'POST', path: string, params: Record<string, string | number>) => apkCall(gateway.url, method, path, params);
  return {
    register: (username: string, password: string) => call('POST', '/douyin/user/register/', { username, password }),
    login: (username: string, password: string) => call('POST', '/douyin/user/login/', { username, password }),
    user: (params: { token?: string; user_id?: number }) => call('GET', '/douyin/user/', params),
  };
}

/** Polls until `condition` holds (every 50 ms: the conditions here are HTTP round trips); the error names what was awaited. */
export const until = (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> =>
  waitUntil(what, condition, timeoutMs, 50);

/** Resolves with the body when status_code is 0; rejects with the envelope otherwise. */
export async function succeeded(answer: Promise<ApkBody>): Promise<ApkBody> {
  const body = await answer;
  if (body.status_code !== 0) throw new Error(`status ${body.status_code}: ${body.status_msg}`);
  return body;
}

export interface Traffic {
  ok: number;
  failed: number;
  /** The first few failures, for the assertion message. */
  failures: string[];
  /** Ends the stream and resolves once every worker's last call has finished. */
  stop(): Promise<Traffic>;
}

/**
 * Runs `call` in a closed loop on `workers` concurrent workers until stopped, and stops by itself after `maxMs` and
 * when the test ends, whether or not it reached its own stop (a failed assertion would otherwise leave the workers
 * running against a dead mesh); a call fails by rejecting.
 */
export function steadyTraffic(
  t: { after(fn: () => unknown): void },
  call: (n: number) => Promise<unknown>,
  { workers = 4, maxMs = 60_000 } = {},
): Traffic {
  let running = true;
  let n = 0;
  const cutoff = setTimeout(() => (running = false), maxMs);
  t.after(() => traffic.stop());
  const traffic: Traffic = {
    ok: 0,
    failed: 0,
    failures: [],
    async stop() {
      running = false;
      clearTimeout(cutoff);
      await done;
      return traffic;
    },
  };
  const worker = async () => {
    while (running) {
      try {
        await call(n++);
        traffic.ok += 1;
      } catch (err) {
        traffic.failed += 1;
        if (traffic.failures.length < 5) traffic.failures.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return traffic;
}

/**
 * The instance ids an app last logged as discovered for `service` (its info-level "service instances changed"
 * line): the only outside view of what a running process's discovery cache holds.
 */
export function discoveredBy(app: AppProcess, service: string): string[] | undefined {
  let latest: string[] | undefined;
  for (const line of app.output().split('\n')) {
    if (!line.includes('"service instances changed"')) continue;
    try {
      const entry = JSON.parse(line) as { target?: unknown; instances?: unknown };
      if (entry.target === service && Array.isArray(entry.instances)) latest = entry.instances.map(String);
    } catch {
      // A line cut by the output limit: an older entry, not the latest.
    }
  }
  return latest;
}
