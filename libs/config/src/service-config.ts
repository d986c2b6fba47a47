import { z } from 'zod';
import { ConfigError } from './load-config.js';
import { looksLikePlaceholder } from './placeholder.js';
import { DbEnv, MeshEnv, RegistryEnv, RpcServerEnv, RuntimeEnv, ServerEnv, TelemetryEnv, portWithDefault } from './fragments.js';

/** Loopback ports of the embedded mesh; the static registry's default list is built from them. */
export const EMBEDDED_PORTS = {
  gateway: 8080,
  user: 9101,
  video: 9102,
  favorite: 9103,
  comment: 9104,
  relation: 9105,
  message: 9106,
} as const;
export type MeshApp = keyof typeof EMBEDDED_PORTS;

export const EMBEDDED_SERVICES = Object.entries(EMBEDDED_PORTS)
  .filter(([name]) => name !== 'gateway')
  .map(([name, port]) => `${name}=127.0.0.1:${port}`)
  .join(';');

/** Everything the shared server bootstrap and the mesh client need, for any app. */
export interface ServiceConfig {
  name: string;
  version: string;
  production: boolean;
  logLevel: z.output<typeof RuntimeEnv>['LOG_LEVEL'];
  host: string;
  port: number;
  advertiseHost: string;
  shutdownGraceMs: number;
  /** The bearer token /metrics and /sd/prometheus require; unset, they are open. */
  metricsToken?: string;
  registry: { consulUrl?: string; consulToken?: string; staticServices: string };
  mesh: {
    timeoutMs: number;
    retries: number;
    breaker: { errorPercent: number; volume: number; consecutiveFailures: number; resetMs: number };
    transport: 'stream' | 'http';
  };
}

/** The environment every app reads, with the app's embedded port as the PORT default. */
export const serviceEnv = (app: MeshApp) =>
  z.object({
    ...RuntimeEnv.shape,
    ...ServerEnv.shape,
    ...RegistryEnv.shape,
    ...MeshEnv.shape,
    ...TelemetryEnv.shape,
    PORT: portWithDefault(EMBEDDED_PORTS[app]),
  });
type ServiceEnvValues = z.output<ReturnType<typeof serviceEnv>>;

export function toServiceConfig(name: MeshApp, e: ServiceEnvValues): ServiceConfig {
  // Without a token /metrics and /sd/prometheus (internal addresses, traffic, refusals) answer anyone who reaches
  // the port, the gateway's public one included; an unedited Secret would open them to anyone who has read the
  // manifests.
  if (e.NODE_ENV === 'production' && e.METRICS_TOKEN === undefined) {
    throw new ConfigError(['METRICS_TOKEN (or METRICS_TOKEN_FILE): required with NODE_ENV=production, or /metrics is open to anyone; generate one with `openssl rand -base64 24`']);
  }
  if (e.NODE_ENV === 'production' && looksLikePlaceholder(e.METRICS_TOKEN ?? '')) {
    throw new ConfigError(['METRICS_TOKEN: looks like a placeholder; generate one with `openssl rand -base64 24`']);
  }
  return {
    name,
    version: e.SERVICE_VERSION,
    production: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    port: e.PORT,
    // Binding 0.0.0.0 is not an address anyone can dial; advertise loopback unless told otherwise.
    advertiseHost: e.ADVERTISE_HOST ?? (e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    metricsToken: e.METRICS_TOKEN,
    registry: { consulUrl: e.CONSUL_HTTP_ADDR, consulToken: e.CONSUL_TOKEN, staticServices: e.STATIC_SERVICES ?? EMBEDDED_SERVICES },
    mesh: {
      timeoutMs: e.MESH_TIMEOUT_MS,
      retries: e.MESH_RETRIES,
      breaker: {
        errorPercent: e.MESH_BREAKER_ERROR_PERCENT,
        volume: e.MESH_BREAKER_VOLUME,
        consecutiveFailures: e.MESH_BREAKER_CONSECUTIVE_FAILURES,
        resetMs: e.MESH_BREAKER_RESET_MS,
      },
      transport: e.MESH_TRANSPORT,
    },
  };
}

/** How many calls of one procedure a service runs at once, and how many more wait (each until its deadline). */
export interface ProcedureLimits {
  concurrency: number;
  queue: number;
}

/** Read by the services only: the gateway serves no procedures. */
export function toProcedureLimits(e: z.output<typeof RpcServerEnv>): ProcedureLimits {
  return { concurrency: e.RPC_CONCURRENCY_LIMIT, queue: e.RPC_QUEUE_LIMIT };
}

/**
 * The database settings of one service, in the shape `createDb` takes. Production refuses the embedded SQLite: each
 * pod would keep its own file on a volume that goes with it, so replicas would disagree and a restart lose data.
 */
export function toDbConfig(name: MeshApp, e: z.output<typeof DbEnv> & Pick<z.output<typeof RuntimeEnv>, 'NODE_ENV'>) {
  if (e.NODE_ENV === 'production' && !e.DATABASE_URL) {
    throw new ConfigError(['DATABASE_URL (or DATABASE_URL_FILE): required with NODE_ENV=production; the embedded SQLite is for development']);
  }
  return { url: e.DATABASE_URL, dataDir: e.DATA_DIR, name, poolSize: e.DATABASE_POOL_SIZE };
}
