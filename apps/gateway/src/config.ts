import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { z } from 'zod';
import { AuthEnv, DbEnv, PublishDrainEnv, RateLimitEnv, StorageEnv, httpUrl, serviceEnv, toAuthConfig, toServiceConfig, toStorageConfig, withPublishDrain } from '@douyin/config';
import { FEED_MAX, LIST_MAX } from '@douyin/contracts';

/** The machine's first LAN IPv4 address: what a phone on the same network dials (loopback if there is none). */
function lanAddress(): string {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

// A phone's first seconds of an upload (its radio waking, TCP's slow start) are not held against its rate.
const UPLOAD_GRACE_MS = 10_000;

/**
 * What Fastify's trustProxy takes: a named range, an address, or an address with a prefix length of at least 1
 * (its parser refuses /0: trusting every sender would let any client name its own address).
 */
function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128));
}

const ProxyList = z
  .string()
  .default('')
  .transform((list) => list.split(',').map((entry) => entry.trim()).filter(Boolean))
  .pipe(z.array(z.string().refine(isProxyAddress, 'expected addresses or ranges such as 10.0.0.0/8, 192.168.1.10, loopback')));

export const GatewayEnv = z
  .object({
    ...serviceEnv('gateway').shape,
    /**
     * PUBLISH_TIMEOUT_MS is the budget of one publish call (probe, cover, store): a 100 MiB upload takes longer than an
     * ordinary call. Unset SHUTDOWN_GRACE_MS follows it (its budget and answer), so a stop lets one in flight finish.
     */
    ...PublishDrainEnv.shape,
    ...AuthEnv.shape,
    DATA_DIR: DbEnv.shape.DATA_DIR,
    // The APK on a phone reaches the gateway over the LAN, so it listens on every interface by default.
    HOST: z.string().default('0.0.0.0'),
    /**
     * Reverse proxies in front of the gateway (TLS terminators, ingress controllers): a request from one of them
     * counts as coming from the client its X-Forwarded-For names, so per-IP limits see clients, not the proxy.
     */
    TRUSTED_PROXIES: ProxyList,
    ...StorageEnv.shape,
    ...RateLimitEnv.shape,
    /** Absolute base of play_url/cover_url when the gateway serves media; default http://<LAN IPv4>:<PORT>. */
    PUBLIC_BASE_URL: httpUrl('http://192.168.1.20:8080').optional(),
    MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(100 * 1024 * 1024),
    /** Uploads one gateway receives at once, and from one client IP; more get 42901. */
    MAX_CONCURRENT_UPLOADS: z.coerce.number().int().positive().default(16),
    MAX_CONCURRENT_UPLOADS_PER_IP: z.coerce.number().int().positive().default(4),
    /** Bytes a second an upload must average once its first 10 s passed, or be closed; 0 = no floor. */
    UPLOAD_MIN_RATE: z.coerce.number().int().min(0).default(16 * 1024),
    FEED_PAGE_SIZE: z.coerce.number().int().min(1).max(FEED_MAX).default(FEED_MAX),
    /** Entries of a list the APK cannot page (favorites, comments, follows, chat history...): its newest ones. */
    LIST_LIMIT: z.coerce.number().int().min(1).max(LIST_MAX).default(LIST_MAX),
    /** Push connections (message/push) one user may hold open on one gateway; one more ends the oldest. */
    PUSH_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(5),
    /** IANA zone of Comment.create_date ("MM-DD", contract §2.3). */
    TIME_ZONE: z.string().refine(isTimeZone, 'expected an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  })
  .transform((e) => ({
    service: toServiceConfig('gateway', withPublishDrain(e)),
    auth: toAuthConfig(e),
    storage: toStorageConfig(e),
    rateLimits: {
      enabled: e.RATE_LIMITS === 'on',
      redisUrl: e.REDIS_URL,
      limits: {
        all: { ip: e.RATE_LIMIT_IP, user: e.RATE_LIMIT_USER },
        classes: {
          read: { ip: e.RATE_LIMIT_READ_IP, user: e.RATE_LIMIT_READ_USER },
          write: { ip: e.RATE_LIMIT_WRITE_IP, user: e.RATE_LIMIT_WRITE_USER },
          upload: { ip: null, user: e.RATE_LIMIT_UPLOAD_USER },
          register: { ip: e.RATE_LIMIT_REGISTER_IP, user: null },
          login: { ip: e.RATE_LIMIT_LOGIN_IP, user: null },
        },
      },
      login: { failuresPerUserAndIp: e.LOGIN_MAX_FAILURES, blockSeconds: e.LOGIN_BLOCK_SECONDS, failuresPerIpPerDay: e.LOGIN_MAX_FAILURES_PER_IP, failuresPerUserPerHour: e.LOGIN_MAX_FAILURES_PER_USER },
    },
    video: {
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${lanAddress()}:${e.PORT}`).replace(/\/+$/, ''),
      maxUploadBytes: e.MAX_UPLOAD_BYTES,
      uploadSlots: { total: e.MAX_CONCURRENT_UPLOADS, perIp: e.MAX_CONCURRENT_UPLOADS_PER_IP },
      uploadFloor: e.UPLOAD_MIN_RATE === 0 ? undefined : { bytesPerSecond: e.UPLOAD_MIN_RATE, graceMs: UPLOAD_GRACE_MS },
      publishTimeoutMs: e.PUBLISH_TIMEOUT_MS,
      feedPageSize: e.FEED_PAGE_SIZE,
    },
    listLimit: e.LIST_LIMIT,
    timeZone: e.TIME_ZONE,
    trustedProxies: e.TRUSTED_PROXIES,
    pushConnectionsPerUser: e.PUSH_CONNECTIONS_PER_USER,
  }));
export type GatewayConfig = z.output<typeof GatewayEnv>;
