import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ServiceConfig } from '@douyin/config';
import { metricsFor } from '@douyin/metrics';
import type { Registry } from '@douyin/registry';
import { flushTraces, type Logger } from '@douyin/telemetry';
import { bearerGuard } from './bearer-guard.js';
import { hostPort } from './host-port.js';
import { observeHttp } from './observe-http.js';
import { registerPrometheusSd } from './prometheus-sd.js';

export type ShutdownHook = () => unknown;

/** What a request id may be: a UUID, a trace id, `apk-42`; at most 128 characters. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export interface ServeOptions {
  app: FastifyInstance;
  config: ServiceConfig;
  registry: Registry;
  logger: Logger;
  /** Run in order after the server stopped taking requests; whoever opened a resource registers its close here. */
  onShutdown?: ShutdownHook[];
  /** Tests that run servers in-process leave the process' signals alone. */
  handleSignals?: boolean;
}

export interface RunningServer {
  instanceId: string;
  port: number;
  /** Graceful stop: fail health checks, deregister, drain in-flight requests, then close resources. */
  stop(): Promise<void>;
}

/** A Fastify instance configured the way every app in the mesh needs it. */
export function createHttpApp(
  logger: Logger,
  options: Pick<FastifyServerOptions, 'bodyLimit' | 'clientErrorHandler' | 'connectionTimeout' | 'frameworkErrors' | 'requestTimeout' | 'trustProxy'> & {
    querystringParser?: (query: string) => Record<string, unknown>;
  } = {},
): FastifyInstance {
  return Fastify({
    loggerInstance: logger,
    // One line per request at info level would drown the logs under load; errors are logged where handled.
    logController: new LogController({ disableRequestLogging: true }),
    // The caller's X-Request-Id, if it looks like one: the public sends the gateway whatever it likes, and the id
    // goes into every log line and mesh call of the request.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: options.bodyLimit ?? 4 * 1024 * 1024,
    // tRPC paths and long query strings must not turn into 414s.
    // The APK calls /douyin/feed/ and tests call /douyin/feed: one handler for both, never a redirect.
    routerOptions: {
      maxParamLength: 1000,
      ignoreTrailingSlash: true,
      ...(options.querystringParser && { querystringParser: options.querystringParser }),
    },
    // A request that reaches a closing server (its connection was busy when the stop began) is served as usual,
    // its answer closing the connection (see serve): the resources it needs close only after the server has, and a
    // bare 503 would be neither the APK's JSON nor a mesh error.
    return503OnClosing: false,
    ...(options.clientErrorHandler && { clientErrorHandler: options.clientErrorHandler }),
    ...(options.frameworkErrors && { frameworkErrors: options.frameworkErrors }),
    ...(options.requestTimeout && { requestTimeout: options.requestTimeout }),
    ...(options.connectionTimeout && { connectionTimeout: options.connectionTimeout }),
    ...(options.trustProxy && { trustProxy: options.trustProxy }),
  }) as unknown as FastifyInstance;
}

/**
 * Listens, registers in discovery with a /healthz check, and stops gracefully on SIGTERM/SIGINT. Every app gets
 * RED metrics per route with GET /metrics, and GET /sd/prometheus listing the mesh for Prometheus.
 */
export async function serve({ app, config, registry, logger, onShutdown = [], handleSignals = true }: ServeOptions): Promise<RunningServer> {
  let draining = false;
  let instanceId = '';
  // Discovery's check names the instance it was registered for. One killed without deregistering, whose address and
  // port this process took over (a restarted container), would otherwise pass on this process's answers and take
  // traffic twice over in the round robin; its check now fails, and Consul drops it.
  app.get<{ Querystring: { instance?: string } }>('/healthz', async (req, reply) => {
    if (req.query.instance !== undefined && req.query.instance !== instanceId) return reply.code(404).send({ status: 'another instance' });
    return reply.code(draining ? 503 : 200).send({ status: draining ? 'draining' : 'ok' });
  });
  // The pid tells a test harness that the process it started answers, not another one that took its port.
  app.get('/readyz', async (_req, reply) => reply.code(draining ? 503 : 200).send({ status: draining ? 'draining' : 'ready', pid: process.pid }));
  // Node's server.close() ends only the keep-alive connections idle at that moment: one whose request was still
  // running would stay open after its answer, and the stop would wait for the grace period. While draining,
  // every answer closes its connection. (A callback hook: no promise on every answer of a busy gateway.)
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  // Both list what an outsider should not see (internal addresses, traffic, refusals) on a port that may be public.
  const guard = config.metricsToken ? bearerGuard(config.metricsToken) : undefined;
  observeHttp(app, metricsFor(config.name), guard);
  let port = config.port;
  registerPrometheusSd(app, registry, config, () => port, guard);

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  if (typeof address === 'object' && address) port = address.port;
  instanceId = `${config.name}-${config.advertiseHost}-${port}-${randomBytes(3).toString('hex')}`;
  await registry.register({
    service: config.name,
    id: instanceId,
    address: config.advertiseHost,
    port,
    // `prometheus` is what consul_sd_configs keeps: every instance serves /metrics on its own port.
    tags: ['douyin', 'prometheus', `version-${config.version}`],
    meta: { version: config.version, metrics_path: '/metrics' },
    healthCheckUrl: `http://${hostPort(config.advertiseHost, port)}/healthz?instance=${encodeURIComponent(instanceId)}`,
  });
  logger.info({ instanceId, port }, `${config.name} listening`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      draining = true;
      const force = setTimeout(() => {
        logger.error('graceful shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownGraceMs);
      force.unref();
      try {
        // Leave discovery first so callers stop picking this instance, then let in-flight requests finish.
        await registry.deregister(instanceId).catch((err: unknown) => logger.warn({ err }, 'deregistration failed'));
        await app.close();
        for (const hook of onShutdown) {
          await Promise.resolve()
            .then(hook)
            .catch((err: unknown) => logger.error({ err }, 'shutdown hook failed'));
        }
        await registry.close();
        await flushTraces().catch((err: unknown) => logger.warn({ err }, 'exporting the last spans failed'));
        logger.info({ instanceId }, `${config.name} stopped`);
      } finally {
        clearTimeout(force);
      }
    })());

  if (handleSignals) {
    const stopAndExit = (why: object) => {
      logger.info(why, 'shutting down');
      void stop().then(() => process.exit(0));
    };
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stopAndExit({ signal }));
    // Started by a launcher over IPC (`npm start`): the channel ends when the launcher is gone without having stopped
    // this process (killed, or failed writing to a closed terminal), and nobody else would stop it. It may have gone
    // while this process was still starting, before anything listened.
    if (typeof process.send === 'function') {
      const launcherGone = () => stopAndExit({ launcher: 'gone' });
      if (process.connected) process.once('disconnect', launcherGone);
      else launcherGone();
    }
  }
  return { instanceId, port, stop };
}
