import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Status = 'passing' | 'critical';

/** A running fake agent; `services()` shows what is registered, for assertions. */
export interface FakeConsul {
  url: string;
  port: number;
  stop(): Promise<void>;
  services(): Array<{ id: string; service: string; status: Status }>;
  /** Every instance that left, in order: asked to by its deregistration, or removed once critical for too long. */
  departures(): Array<{ id: string; by: 'deregistration' | 'critical-timeout'; status: Status }>;
}

interface Check {
  id: string; name: string; http: string; intervalMs: number; timeoutMs: number;
  deregisterAfterMs: number | undefined; status: Status; output: string; criticalSince: number | undefined;
  timer?: NodeJS.Timeout;
}
interface Registration {
  id: string; name: string; address: string; port: number; tags: string[]; meta: Record<string, string>; checks: Check[];
}
type Json = Record<string, unknown>;

class BadRequest extends Error {}

const NODE = { ID: '00000000-0000-0000-0000-000000000001', Node: 'fake-consul', Address: '127.0.0.1', Datacenter: 'dc1',
  TaggedAddresses: { lan: '127.0.0.1', wan: '127.0.0.1' }, Meta: {}, CreateIndex: 1, ModifyIndex: 1 };
// The agent's own node check: real health entries always carry it next to the service checks.
const SERF = { Node: NODE.Node, CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Notes: '',
  Output: 'Agent alive and reachable', ServiceID: '', ServiceName: '', ServiceTags: [], Type: '' };
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go duration ("1m30s", "200ms") to ms; a number is nanoseconds, as Go's time.Duration marshals. */
function durationMs(value: unknown, fallback: number): number {
  if (typeof value === 'number') return value / 1e6;
  if (typeof value !== 'string' || value === '') return fallback;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.map((p) => p[0]).join('') !== value) throw new BadRequest(`invalid duration "${value}"`);
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * (UNIT_MS[unit ?? 'ms'] ?? 1), 0);
}

// Go's JSON decoding matches field names case-insensitively; the consul client sends PascalCase.
function lowerKeys(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequest('expected a JSON object');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v]));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** HTTP GET like the agent's HTTP check: 2xx is passing, anything else (or no answer in time) critical. */
function probe(url: string, timeoutMs: number, signal: AbortSignal): Promise<{ status: Status; output: string }> {
  return new Promise((resolve) => {
    const headers = { 'user-agent': 'Consul Health Check', accept: 'text/plain, text/*, */*' };
    const req = request(url, { agent: false, timeout: timeoutMs, signal, headers }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ status: code >= 200 && code < 300 ? 'passing' : 'critical', output: `HTTP GET ${url}: ${code} ${res.statusMessage ?? ''}` });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on('error', (err) => resolve({ status: 'critical', output: `Get "${url}": ${err.message}` }));
    req.end();
  });
}

/** Starts a fake Consul agent on 127.0.0.1 (port 0 = any) that runs registered HTTP checks and answers blocking queries. */
export async function startFakeConsul({ port = 0 }: { port?: number } = {}): Promise<FakeConsul> {
  const registrations = new Map<string, Registration>();
  const waiters = new Set<() => void>();
  const aborter = new AbortController();
  let index = 1; // Consul never answers with index 0, and the consul client's watch rejects it
  let stopped = false;

  const changed = () => {
    index += 1;
    for (const wake of [...waiters]) wake();
  };

  // Blocking query, held as Consul holds it: while the agent's index has not passed the caller's, until `wait` ends.
  // That includes an index larger than the agent's own, which a client that knew the agent before it restarted without
  // its state still holds.
  const blockUntilChange = (url: URL, res: ServerResponse) => new Promise<void>((resolve) => {
    const known = Number(url.searchParams.get('index'));
    if (!(known > 0) || index > known) return resolve();
    const done = () => { clearTimeout(timer); waiters.delete(wake); resolve(); };
    const wake = () => { if (index > known || stopped) done(); };
    const timer = setTimeout(done, Math.min(durationMs(url.searchParams.get('wait') ?? '', 300_000), 600_000));
    waiters.add(wake);
    res.once('close', done);
  });

  const statusOf = (r: Registration): Status => (r.checks.every((c) => c.status === 'passing') ? 'passing' : 'critical');

  const departures: ReturnType<FakeConsul['departures']> = [];
  const deregister = (id: string, by: 'deregistration' | 'critical-timeout'): boolean => {
    const registration = registrations.get(id);
    if (!registration) return false;
    departures.push({ id, by, status: statusOf(registration) });
    for (const check of registration.checks) clearTimeout(check.timer);
    registrations.delete(id);
    changed();
    return true;
  };

  const runCheck = (registration: Registration, check: Check) => {
    void probe(check.http, check.timeoutMs, aborter.signal).then(({ status, output }) => {
      if (stopped || registrations.get(registration.id) !== registration) return;
      check.output = output;
      check.criticalSince = status === 'critical' ? (check.criticalSince ?? Date.now()) : undefined;
      if (check.status !== status) {
        check.status = status;
        changed();
      }
      const critical = check.criticalSince === undefined ? 0 : Date.now() - check.criticalSince;
      if (check.deregisterAfterMs !== undefined && critical >= check.deregisterAfterMs) return void deregister(registration.id, 'critical-timeout');
      check.timer = setTimeout(() => runCheck(registration, check), check.intervalMs);
    });
  };

  const toCheck = (raw: unknown, defaultId: string, service: string, previous: Registration | undefined): Check => {
    const def = lowerKeys(raw);
    if (!str(def.http)) throw new BadRequest('the fake Consul runs HTTP checks only');
    const id = str(def.checkid) || defaultId;
    // A re-registration keeps the check's known status, as the agent does; a new check starts critical.
    const status = previous?.checks.find((c) => c.id === id)?.status ?? (def.status === 'passing' ? 'passing' : 'critical');
    return {
      id, name: str(def.name) || `Service '${service}' check`, http: str(def.http), status, output: '',
      intervalMs: durationMs(def.interval, 10_000), timeoutMs: durationMs(def.timeout, 10_000),
      deregisterAfterMs: def.deregistercriticalserviceafter === undefined ? undefined : durationMs(def.deregistercriticalserviceafter, 0),
      criticalSince: status === 'critical' ? Date.now() : undefined,
    };
  };

  const register = (body: unknown) => {
    const def = lowerKeys(body);
    const name = str(def.name);
    if (!name) throw new BadRequest('Missing service name');
    const id = str(def.id) || name;
    const rawChecks = Array.isArray(def.checks) ? def.checks : def.check ? [def.check] : [];
    const previous = registrations.get(id);
    const checks = rawChecks.map((c, i) => toCheck(c, rawChecks.length > 1 ? `service:${id}:${i + 1}` : `service:${id}`, name, previous));
    const registration: Registration = {
      id, name, checks, address: str(def.address), port: typeof def.port === 'number' ? def.port : 0,
      tags: Array.isArray(def.tags) ? def.tags.map(String) : [], meta: (def.meta as Record<string, string> | undefined) ?? {},
    };
    for (const check of previous?.checks ?? []) clearTimeout(check.timer);
    registrations.set(id, registration);
    changed();
    for (const check of checks) runCheck(registration, check);
  };

  const sorted = () => [...registrations.values()].sort((a, b) => a.id.localeCompare(b.id));

  const healthEntry = (r: Registration) => ({
    Node: NODE,
    Service: { ID: r.id, Service: r.name, Tags: r.tags, Address: r.address, Meta: r.meta, Port: r.port,
      Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false, CreateIndex: 1, ModifyIndex: index },
    Checks: [SERF, ...r.checks.map((c) => ({ Node: NODE.Node, CheckID: c.id, Name: c.name, Status: c.status, Notes: '',
      Output: c.output, ServiceID: r.id, ServiceName: r.name, ServiceTags: r.tags, Type: 'http' }))],
  });

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<unknown> => {
    const path = decodeURIComponent(url.pathname);
    if (req.method === 'PUT' && path === '/v1/agent/service/register') return register(await readJson(req));
    const deregistered = /^\/v1\/agent\/service\/deregister\/(.+)$/.exec(path);
    if (req.method === 'PUT' && deregistered?.[1]) {
      if (deregister(deregistered[1], 'deregistration')) return undefined;
      throw Object.assign(new Error(`Unknown service ID "${deregistered[1]}"`), { statusCode: 404 });
    }
    if (req.method !== 'GET') throw Object.assign(new Error('method not allowed'), { statusCode: 405 });
    const health = /^\/v1\/health\/service\/(.+)$/.exec(path);
    if (health?.[1]) {
      await blockUntilChange(url, res);
      const passing = url.searchParams.has('passing') && !['false', '0'].includes(url.searchParams.get('passing') ?? '');
      return sorted().filter((r) => r.name === health[1] && (!passing || statusOf(r) === 'passing')).map(healthEntry);
    }
    if (path === '/v1/agent/services') {
      return Object.fromEntries(sorted().map((r) => [r.id, { ID: r.id, Service: r.name, Tags: r.tags, Meta: r.meta, Port: r.port,
        Address: r.address, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false, Datacenter: NODE.Datacenter }]));
    }
    if (path === '/v1/catalog/services') {
      const catalog: Record<string, string[]> = {};
      for (const r of sorted()) catalog[r.name] = [...new Set([...(catalog[r.name] ?? []), ...r.tags])];
      return catalog;
    }
    throw Object.assign(new Error(`no such endpoint: ${path}`), { statusCode: 404 });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-consul');
    route(req, res, url).then(
      (body) => {
        if (stopped || res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': String(index), 'x-consul-knownleader': 'true', 'x-consul-lastcontact': '0' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      },
      (err: Error & { statusCode?: number }) => {
        if (stopped || res.destroyed) return;
        res.writeHead(err instanceof BadRequest ? 400 : (err.statusCode ?? 500), { 'content-type': 'text/plain' });
        res.end(err.message);
      },
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    services: () => [...registrations.values()].map((r) => ({ id: r.id, service: r.name, status: statusOf(r) })),
    departures: () => [...departures],
    async stop() {
      if (stopped) return;
      stopped = true;
      aborter.abort();
      for (const r of registrations.values()) for (const check of r.checks) clearTimeout(check.timer);
      for (const wake of [...waiters]) wake();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // blocking queries would otherwise hold close() for up to `wait`
      await closed;
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw new BadRequest('Request decode failed: invalid JSON');
  }
}
