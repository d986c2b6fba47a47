import { z } from 'zod';
import { httpOrigin, httpUrl } from './http-url.js';
import { StaticServices } from './static-services.js';

/** Node fires a timer set for longer (about 24.8 days) after 1 ms: a drain would be cut at once, every call time out. */
const MAX_TIMER_MS = 2_147_483_647;
const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
const timerLimit = (max: number, unit: 'ms' | 's') => `at most ${max} ${unit}: Node fires a timer longer than ${MAX_TIMER_MS} ms (about 24.8 days) at once`;
const msUpTo = (max: number) => z.coerce.number().int().positive().max(max, timerLimit(max, 'ms'));

export const timerMs = msUpTo(MAX_TIMER_MS);
/**
 * A budget that other timers run a little past, and must fit too: a statement's grace after a call's deadline (6 s),
 * a drain after a publish's (5 s), the gateway's idle timeout after a publish's (30 s).
 */
const budgetMs = msUpTo(MAX_TIMER_MS - 60_000);

/** The gateway's budget for one publish call, from the upload received, unless PUBLISH_TIMEOUT_MS says otherwise. */
const PUBLISH_TIMEOUT_DEFAULT_MS = 60_000;

/**
 * The drain of an app that serves publishes (the gateway, the video service): long enough for a publish call begun
 * just before the stop to finish and answer. The others' 10 s would cut it off, failing the upload of whoever was
 * publishing. (An upload still arriving may take longer than any drain.)
 */
const publishDrainMs = (publishTimeoutMs: number): number => publishTimeoutMs + 5_000;

/**
 * The settings of an app that serves publishes: both read the gateway's publish budget, so raising it in one shared
 * place (a ConfigMap, an env file) lengthens both drains; SHUTDOWN_GRACE_MS, when set, still says the last word.
 */
export const PublishDrainEnv = z.object({
  SHUTDOWN_GRACE_MS: timerMs.optional(),
  PUBLISH_TIMEOUT_MS: budgetMs.default(PUBLISH_TIMEOUT_DEFAULT_MS),
});

/** The env with its drain settled: SHUTDOWN_GRACE_MS if set, else a publish's budget and its answer. */
export const withPublishDrain = <E extends z.output<typeof PublishDrainEnv>>(e: E): E & { SHUTDOWN_GRACE_MS: number } => ({
  ...e,
  SHUTDOWN_GRACE_MS: e.SHUTDOWN_GRACE_MS ?? publishDrainMs(e.PUBLISH_TIMEOUT_MS),
});

/** `NODE_ENV=production` turns on the checks that refuse development defaults (missing or placeholder secrets, the embedded database). */
export const RuntimeEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SERVICE_VERSION: z.string().default('0.1.0'),
});

/** Where an instance listens and how others reach it (the advertised address is what Consul hands out). */
export const ServerEnv = z.object({
  HOST: z.string().default('127.0.0.1'),
  ADVERTISE_HOST: z.string().optional(),
  SHUTDOWN_GRACE_MS: timerMs.default(10_000),
  /** Set: GET /metrics and /sd/prometheus answer only `Authorization: Bearer <token>` (they list internal addresses). */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  METRICS_TOKEN_FILE: z.string().optional(),
});

/** Service discovery: Consul when CONSUL_HTTP_ADDR is set, otherwise the static list. */
export const RegistryEnv = z.object({
  // Consul's own tools take `host:port` here; the registry needs the scheme, and keeps only scheme, host and port.
  CONSUL_HTTP_ADDR: httpOrigin('http://consul:8500').optional(),
  CONSUL_TOKEN: z.string().optional(),
  // "user=127.0.0.1:9101, 127.0.0.1:9111; video=127.0.0.1:9102"
  STATIC_SERVICES: StaticServices.optional(),
});

/** The mesh client's budget and resilience knobs. */
export const MeshEnv = z.object({
  MESH_TIMEOUT_MS: budgetMs.default(3_000),
  MESH_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  MESH_BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  MESH_BREAKER_VOLUME: z.coerce.number().int().min(1).default(5),
  MESH_BREAKER_CONSECUTIVE_FAILURES: z.coerce.number().int().min(1).default(5),
  MESH_BREAKER_RESET_MS: timerMs.default(5_000),
  // stream: persistent multiplexed connections; http: one POST per call (for comparison and odd proxies).
  MESH_TRANSPORT: z.enum(['stream', 'http']).default('stream'),
});

/** DATABASE_URL=mysql://... for MySQL/MariaDB; unset = embedded SQLite under DATA_DIR. */
export const DbEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^mysql:\/\/.+/, 'expected mysql://user:password@host:port/database')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  DATA_DIR: z.string().default('data'),
});

export const AuthEnv = z.object({
  JWT_SECRET: z.string().min(1).optional(),
  JWT_SECRET_FILE: z.string().min(1).optional(),
  JWT_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
});

/** Tracing, read by the telemetry preload before any app code: off unless an exporter or an OTLP endpoint is set. */
export const TelemetryEnv = z.object({
  // Unset: `otlp` when OTEL_EXPORTER_OTLP_ENDPOINT is set, else `none`. `jaeger` is for Jaeger without OTLP ingest.
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'jaeger', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('http://jaeger:4318').optional(),
  // The OTLP/HTTP encodings (the specification's default is protobuf); gRPC is not shipped.
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  OTEL_EXPORTER_JAEGER_ENDPOINT: httpUrl('http://jaeger:14268/api/traces').optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  // Read by the SDK itself, which on a name or ratio it does not know quietly traces every request: checked here so
  // a typo stops the process instead. These are the specification's samplers the Node SDK implements.
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .optional(),
  // The share of traces kept by the traceidratio samplers.
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  SERVICE_VERSION: RuntimeEnv.shape.SERVICE_VERSION,
}).refine((env) => !(env.OTEL_TRACES_SAMPLER?.endsWith('traceidratio') && env.OTEL_TRACES_SAMPLER_ARG === undefined), {
  // Without a ratio the SDK keeps every trace, the opposite of what a ratio sampler is set for.
  message: 'a traceidratio sampler needs its ratio (0..1)',
  path: ['OTEL_TRACES_SAMPLER_ARG'],
});

/** How many calls of one procedure a service runs at once, and how many more wait, before it answers TOO_MANY_REQUESTS. */
export const RpcServerEnv = z.object({
  RPC_CONCURRENCY_LIMIT: z.coerce.number().int().min(1).max(100_000).default(256),
  RPC_QUEUE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(2048),
});

const RATE = /^(\d+(?:\.\d+)?)\/(s|min|h)(?::(\d+))?$/;
const UNIT_SECONDS = { s: 1, min: 60, h: 3600 } as const;
/** A token bucket as "<amount>/<s|min|h>[:<burst>]" (burst defaults to the amount), or "off". */
const bucket = z
  .string()
  .regex(/^off$|^\d+(\.\d+)?\/(s|min|h)(:\d+)?$/, 'expected <amount>/<s|min|h>[:<burst>] or off, e.g. 200/s:400')
  .transform((spec) => {
    const [, amount, unit, burst] = RATE.exec(spec) ?? [];
    if (!amount || !unit) return null;
    return { ratePerSec: Number(amount) / UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS], burst: Number(burst ?? amount) };
  })
  // A bucket that never refills, or can never hold a whole request, would refuse everything while its answers said
  // "retry in a moment": "off" is how a limit is turned off.
  .refine((limit) => limit === null || (limit.ratePerSec > 0 && limit.burst >= 1), 'expected a rate above 0 and a burst of at least 1 (e.g. 0.5/s:1), or off');

/** Gateway token buckets (contract §8.3 defaults): every route per IP and per user, plus optional per-class buckets. */
export const RateLimitEnv = z.object({
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  // Set: buckets live in Redis and every gateway replica shares them; unset: in this process' memory.
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, 'expected redis://host:port').optional(),
  RATE_LIMIT_IP: bucket.prefault('200/s:400'),
  RATE_LIMIT_USER: bucket.prefault('100/s:200'),
  RATE_LIMIT_READ_IP: bucket.prefault('off'),
  RATE_LIMIT_READ_USER: bucket.prefault('off'),
  RATE_LIMIT_WRITE_IP: bucket.prefault('off'),
  RATE_LIMIT_WRITE_USER: bucket.prefault('off'),
  RATE_LIMIT_UPLOAD_USER: bucket.prefault('30/min'),
  RATE_LIMIT_REGISTER_IP: bucket.prefault('60/min'),
  // Every login costs the user service a password hash, right or wrong: the login guard counts only wrong ones.
  RATE_LIMIT_LOGIN_IP: bucket.prefault('60/min'),
  // Login brute-force protection (on with RATE_LIMITS): wrong passwords in a row per username and client IP...
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  // ...block that pair this long (without Redis, a timer of this many seconds)...
  LOGIN_BLOCK_SECONDS: z.coerce.number().int().min(1).max(MAX_TIMER_SECONDS, timerLimit(MAX_TIMER_SECONDS, 's')).default(900),
  // ...and failures per client IP and day over all usernames (password spraying) block the IP for the day.
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(100),
  // ...and failures per username and hour from networks it never logged in from block it there for the hour.
  LOGIN_MAX_FAILURES_PER_USER: z.coerce.number().int().min(1).default(50),
});

/** A listening port with this app's embedded default. */
export const portWithDefault = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
