import { trace } from '@opentelemetry/api';
import { TRPCError, initTRPC } from '@trpc/server';
import { z } from 'zod';
import { loadConfig, serviceEnv, toServiceConfig } from '@douyin/config';
import type { ServiceMetrics } from '@douyin/metrics';
import { createStaticRegistry, type Registry } from '@douyin/registry';
import { silentLogger } from '@douyin/telemetry';
import { createHttpApp, createMesh, serve, type Mesh, type RunningServer } from '../src/index.js';
import { registerRpcRoutes, type RpcServerOptions } from '../src/rpc-server.js';

const t = initTRPC.context<{ requestId: string; deadline: number }>().create();

function leafProcedures(name: string, state: { mutations: number }) {
  return {
    whoami: t.procedure.query(() => name),
    /** The trace the call was served in, as the callee sees it. */
    traceContext: t.procedure.query(() => {
      const span = trace.getActiveSpan();
      return { traceId: span?.spanContext().traceId ?? '', recording: span?.isRecording() ?? false };
    }),
    budget: t.procedure.query(({ ctx }) => ({ remainingMs: ctx.deadline - Date.now(), requestId: ctx.requestId })),
    slow: t.procedure.input(z.object({ ms: z.number() })).query(async ({ input }) => {
      await new Promise((resolve) => setTimeout(resolve, input.ms));
      return 'late';
    }),
    /** A string of `bytes` bytes. */
    sized: t.procedure.input(z.object({ bytes: z.number() })).query(({ input }) => 'x'.repeat(input.bytes)),
    /** A result JSON cannot carry. */
    unserializable: t.procedure.query(() => ({ n: 1n }) as unknown as { n: number }),
    missing: t.procedure.query((): string => {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'nothing here', cause: Object.assign(new Error('x'), { reason: 'user_not_found' }) });
    }),
    boom: t.procedure.query((): string => {
      throw new Error('SELECT secret FROM hosts');
    }),
    bump: t.procedure.mutation(() => ++state.mutations),
    slowBump: t.procedure.input(z.object({ ms: z.number() })).mutation(async ({ input }) => {
      await new Promise((resolve) => setTimeout(resolve, input.ms));
      return ++state.mutations;
    }),
  };
}
const leafRouter = (name: string, state: { mutations: number }) => t.router(leafProcedures(name, state));
type LeafRouter = ReturnType<typeof leafRouter>;

/** A small service whose procedures expose what the mesh did: who answered, which budget arrived, how often a mutation ran. */
export function echoRouter(name: string, state = { mutations: 0 }, downstream?: () => Mesh) {
  const leaf = () => downstream?.().client<LeafRouter>('leaf');
  return t.router({
    ...leafProcedures(name, state),
    relay: t.procedure.query(async () => (await leaf()?.missing.query()) ?? null),
    relayBudget: t.procedure.query(async () => leaf()?.budget.query()),
    relayWhoami: t.procedure.query(async () => leaf()?.whoami.query()),
    relaySlow: t.procedure.input(z.object({ ms: z.number() })).query(async ({ input }) => leaf()?.slow.query(input)),
  });
}
export type EchoRouter = ReturnType<typeof echoRouter>;

/** A service configuration for in-process tests: any free port, no logs, a short grace period. */
export const testConfig = (name: string) => ({
  ...toServiceConfig('user', loadConfig(serviceEnv('user'), { PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '2000' })),
  name: name as 'user',
});

/** Starts an in-process instance of the echo service on a free loopback port. */
export async function startEcho(
  t: { after(fn: () => unknown): void },
  name: string,
  opts: { state?: { mutations: number }; downstream?: () => Mesh; rpc?: Partial<RpcServerOptions>; metricsToken?: string; host?: string } = {},
): Promise<RunningServer> {
  const logger = silentLogger();
  const app = createHttpApp(logger);
  registerRpcRoutes(app, { router: echoRouter(name, opts.state, opts.downstream), logger, defaultBudgetMs: 3000, ...opts.rpc });
  const server = await serve({ app, config: { ...testConfig(name), metricsToken: opts.metricsToken, ...(opts.host ? { host: opts.host, advertiseHost: opts.host } : {}) }, registry: createStaticRegistry({ logger }), logger, handleSignals: false });
  t.after(() => server.stop());
  return server;
}

/** A mesh over a static list, as the embedded mode uses. */
export function meshOver(
  t: { after(fn: () => unknown): void },
  transport: 'stream' | 'http',
  services: string,
  overrides: Partial<{ timeoutMs: number; retries: number; resetMs: number; consecutiveFailures: number; metrics: ServiceMetrics }> = {},
): { mesh: Mesh; registry: Registry } {
  const logger = silentLogger();
  const registry = createStaticRegistry({ staticServices: services, logger });
  const mesh = createMesh({
    registry,
    logger,
    timeoutMs: overrides.timeoutMs ?? 2000,
    retries: overrides.retries ?? 2,
    breaker: { errorPercent: 50, volume: 3, consecutiveFailures: overrides.consecutiveFailures ?? 5, resetMs: overrides.resetMs ?? 60_000 },
    metrics: overrides.metrics,
    transport,
  });
  t.after(() => mesh.close());
  return { mesh, registry };
}
