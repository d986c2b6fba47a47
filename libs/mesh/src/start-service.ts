import type { AnyTRPCRouter } from '@trpc/server';
import type { ProcedureLimits, ServiceConfig } from '@douyin/config';
import { metricsFor, type ServiceMetrics } from '@douyin/metrics';
import { createRegistry, type Registry } from '@douyin/registry';
import { createLogger, type Logger } from '@douyin/telemetry';
import { createMesh, type Mesh } from './mesh.js';
import { registerRpcRoutes } from './rpc-server.js';
import type { Dependency } from './wire.js';
import { createHttpApp, serve, type RunningServer, type ShutdownHook } from './serve.js';

/** What an app's composition root gets before it builds anything: its logger, discovery and mesh client. */
export interface Runtime {
  config: ServiceConfig;
  logger: Logger;
  registry: Registry;
  mesh: Mesh;
  /** This app's Prometheus metrics (served at /metrics), for what only the app can count, e.g. upload bytes. */
  metrics: ServiceMetrics;
}

/** Creates the logger, registry and mesh from an app's configuration. */
export function createRuntime(config: ServiceConfig): Runtime {
  const logger = createLogger({ service: config.name, level: config.logLevel });
  const registry = createRegistry({ ...config.registry, logger });
  const metrics = metricsFor(config.name);
  const mesh = createMesh({ registry, logger, metrics, ...config.mesh });
  return { config, logger, registry, mesh, metrics };
}

export interface ServiceDefinition {
  router: AnyTRPCRouter;
  /** Calls of one procedure this instance runs at once and lets wait (RPC_CONCURRENCY_LIMIT, RPC_QUEUE_LIMIT). */
  limits: ProcedureLimits;
  /** Brings the service's own tables to the latest schema before it takes traffic. */
  migrate?: () => Promise<unknown>;
  /** Dependencies whose outage callers should see as SERVICE_UNAVAILABLE (with the dependency's reason). */
  unavailable?: readonly Dependency[];
  onShutdown?: ShutdownHook[];
  handleSignals?: boolean;
}

/**
 * The one server bootstrap of every service: migrations, tRPC over the mesh transport (traced, measured and
 * concurrency-limited per procedure), health, /metrics, Consul registration and graceful shutdown. With `--migrate-only` it migrates, closes and returns null.
 */
export async function startService(runtime: Runtime, service: ServiceDefinition, argv = process.argv): Promise<RunningServer | null> {
  const { config, logger, registry, mesh } = runtime;
  const closeAll = [...(service.onShutdown ?? []), () => mesh.close()];
  if (service.migrate) {
    try {
      await service.migrate();
    } catch (err) {
      logger.fatal({ err }, 'migration failed');
      await Promise.all(closeAll.map((hook) => Promise.resolve().then(hook).catch(() => undefined)));
      await registry.close();
      throw err;
    }
    if (argv.includes('--migrate-only')) {
      logger.info('migrations applied');
      for (const hook of closeAll) await hook();
      await registry.close();
      return null;
    }
  }
  const app = createHttpApp(logger);
  registerRpcRoutes(app, {
    router: service.router,
    logger,
    defaultBudgetMs: config.mesh.timeoutMs,
    dependencies: service.unavailable,
    service: config.name,
    metrics: runtime.metrics,
    concurrencyLimit: service.limits.concurrency,
    queueLimit: service.limits.queue,
  });
  return serve({ app, config, registry, logger, onShutdown: closeAll, handleSignals: service.handleSignals });
}
