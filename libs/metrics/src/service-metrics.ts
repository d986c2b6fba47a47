import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const POOL_STATES = ['max', 'open', 'in_use', 'waiting'] as const;
/** One pool's connections: its limit, how many are open, checked out, and acquires waiting for one. */
export type PoolUsage = Record<(typeof POOL_STATES)[number], number>;

// Latency buckets from 2 ms (a cached read) to 10 s (past any mesh deadline), then to 5 minutes: a publish's upload
// over a phone's link, and its call to the video service (60 s budget), take that long, and would all read as 10 s.
const REQUEST_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Every metric one service exposes, named `douyin_<service>_<what>_<unit>`. Labels hold only bounded values:
 * route templates, procedure paths, service names, tRPC or APK codes, never ids or raw URLs.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'code' | 'outcome'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'outcome'>;
  readonly rpcServerRequests: Counter<'procedure' | 'code'>;
  readonly rpcServerDuration: Histogram<'procedure' | 'outcome'>;
  readonly rpcServerInFlight: Gauge<'procedure'>;
  readonly rpcServerRejected: Counter<'procedure'>;
  readonly rpcClientRequests: Counter<'target' | 'procedure' | 'code'>;
  readonly rpcClientDuration: Histogram<'target' | 'procedure' | 'outcome'>;
  readonly breakerState: Gauge<'target' | 'target_instance'>;
  readonly breakerTransitions: Counter<'target' | 'state'>;
  readonly rateLimited: Counter<'class' | 'subject'>;
  readonly cacheHits: Counter<'cache'>;
  readonly cacheMisses: Counter<'cache'>;
  readonly cacheDeclined: Counter<'cache'>;
  readonly cacheFailures: Counter<'cache' | 'operation'>;
  readonly cachePendingInvalidations: Gauge;
  readonly dbQueryDuration: Histogram<'operation' | 'outcome'>;
  readonly dbPoolConnections: Gauge<'state'>;
  readonly uploadBytes: Counter;
  readonly connectionsCut: Counter<'reason'>;
  readonly pushConnections: Gauge;
  readonly pushDelivered: Counter;
  readonly pushReplaced: Counter;
  readonly pushStalled: Counter;

  constructor(readonly service: string) {
    const name = (what: string) => `douyin_${service.replace(/[^a-zA-Z0-9_]/g, '_')}_${what}`;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: name('') });

    this.httpRequests = new Counter({
      name: name('http_requests_total'),
      help: 'HTTP requests by route template and outcome (the gateway reports the APK status_code as code; code 499, outcome aborted: the client left before its answer was finished)',
      labelNames: ['method', 'route', 'code', 'outcome'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: name('http_request_duration_seconds'),
      help: 'HTTP request duration by route template',
      labelNames: ['method', 'route', 'outcome'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.rpcServerRequests = new Counter({
      name: name('rpc_server_requests_total'),
      help: 'tRPC procedure calls served, by tRPC code (OK on success)',
      labelNames: ['procedure', 'code'],
      registers,
    });
    this.rpcServerDuration = new Histogram({
      name: name('rpc_server_duration_seconds'),
      help: 'tRPC procedure duration as served',
      labelNames: ['procedure', 'outcome'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.rpcServerInFlight = new Gauge({ name: name('rpc_server_in_flight'), help: 'procedure calls running now', labelNames: ['procedure'], registers });
    this.rpcServerRejected = new Counter({
      name: name('rpc_server_rejected_total'),
      help: 'procedure calls refused because the per-procedure concurrency limit was reached',
      labelNames: ['procedure'],
      registers,
    });
    this.rpcClientRequests = new Counter({
      name: name('rpc_client_requests_total'),
      help: 'mesh calls made, by target service, procedure and resulting tRPC code',
      labelNames: ['target', 'procedure', 'code'],
      registers,
    });
    this.rpcClientDuration = new Histogram({
      name: name('rpc_client_duration_seconds'),
      help: 'mesh call duration as seen by the caller, retries included',
      labelNames: ['target', 'procedure', 'outcome'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.breakerState = new Gauge({
      name: name('breaker_state'),
      help: 'circuit breaker per target instance: 0 closed, 1 half-open, 2 open',
      // Not `instance`: Prometheus gives every scraped series its own `instance` (the scraped app's address).
      labelNames: ['target', 'target_instance'],
      registers,
    });
    this.breakerTransitions = new Counter({
      name: name('breaker_transitions_total'),
      help: 'circuit breaker state changes by target service and new state',
      labelNames: ['target', 'state'],
      registers,
    });
    this.rateLimited = new Counter({
      name: name('ratelimit_rejected_total'),
      help: 'requests refused by a token bucket or the login guard, by route class and subject (ip, user, or a login\'s username)',
      labelNames: ['class', 'subject'],
      registers,
    });
    this.cacheHits = new Counter({ name: name('cache_hits_total'), help: 'cache lookups answered from the cache', labelNames: ['cache'], registers });
    this.cacheMisses = new Counter({ name: name('cache_misses_total'), help: 'cache lookups that fell through', labelNames: ['cache'], registers });
    this.cacheDeclined = new Counter({
      name: name('cache_declined_total'),
      help: 'misses not written back: the admission rule had not seen the key miss before',
      labelNames: ['cache'],
      registers,
    });
    this.cacheFailures = new Counter({
      name: name('cache_failures_total'),
      help: 'Redis commands of the cache that failed (a read fell back to the database, a delete is sent again later)',
      labelNames: ['cache', 'operation'],
      registers,
    });
    this.cachePendingInvalidations = new Gauge({
      name: name('cache_pending_invalidations'),
      help: 'cache entries whose delete Redis has not taken yet: read from the database and sent again until it does',
      registers,
    });
    this.dbQueryDuration = new Histogram({
      name: name('db_query_duration_seconds'),
      help: 'SQL statement duration by operation (select, insert, update, delete, other)',
      labelNames: ['operation', 'outcome'],
      buckets: QUERY_BUCKETS,
      registers,
    });
    const pools = this.pools;
    this.dbPoolConnections = new Gauge({
      name: name('db_pool_connections'),
      help: 'database connections by state: max, open, in_use, waiting (acquires queued for a connection)',
      labelNames: ['state'],
      registers,
      // Read at scrape time, summed over the live pools of this service.
      collect() {
        const total: PoolUsage = { max: 0, open: 0, in_use: 0, waiting: 0 };
        for (const read of pools) {
          const usage = read();
          if (!usage) {
            pools.delete(read);
            continue;
          }
          for (const state of POOL_STATES) total[state] += usage[state];
        }
        for (const state of POOL_STATES) this.set({ state }, total[state]);
      },
    });
    this.uploadBytes = new Counter({ name: name('upload_bytes_total'), help: 'bytes of publish forms\' file parts received: the video, and any other part, read and dropped', registers });
    // Closed without the answer its request would have had, which the HTTP metrics never see.
    this.connectionsCut = new Counter({
      name: name('connections_cut_total'),
      help: 'client connections closed for slowness: body_timeout (a form not received in time), upload_too_slow, idle (nothing moved either way)',
      labelNames: ['reason'],
      registers,
    });
    // The chat push channel's own figures; its polls are the rpc client metrics of message.inbox.
    this.pushConnections = new Gauge({ name: name('push_connections'), help: 'chat push connections open now', registers });
    this.pushDelivered = new Counter({ name: name('push_delivered_total'), help: 'messages written to chat push connections', registers });
    this.pushReplaced = new Counter({
      name: name('push_replaced_total'),
      help: 'chat push connections ended because their user opened more than PUSH_CONNECTIONS_PER_USER',
      registers,
    });
    this.pushStalled = new Counter({
      name: name('push_stalled_total'),
      help: 'chat push connections ended because their client stopped reading',
      registers,
    });
  }

  private readonly pools = new Set<() => PoolUsage | undefined>();

  /** Reports a connection pool at every scrape until `read` returns undefined (its pool is gone). */
  trackPool(read: () => PoolUsage | undefined): void {
    this.pools.add(read);
  }

  /** The text exposition Prometheus scrapes. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

const byService = new Map<string, ServiceMetrics>();

/**
 * The metrics of `service` in this process, created on first use. One process usually runs one service; tests
 * that host several in one process get one registry each, so names never collide.
 */
export function metricsFor(service: string): ServiceMetrics {
  let metrics = byService.get(service);
  if (!metrics) {
    metrics = new ServiceMetrics(service);
    byService.set(service, metrics);
  }
  return metrics;
}
