import { context, propagation, trace } from '@opentelemetry/api';
import { TRPCError, callTRPCProcedure, type AnyTRPCRouter } from '@trpc/server';
import type { ServiceMetrics } from '@douyin/metrics';
import type { Logger } from '@douyin/telemetry';
import { runInScope } from './call-scope.js';
import { SpanKind, endSpan, outcomeOfCode, rpcAttributes, tracer } from './rpc-outcome.js';
import { toWireError, type Dependency, type WireError, type WireResponse } from './wire.js';

export interface RpcServerOptions {
  router: AnyTRPCRouter;
  logger: Logger;
  /** Budget for a caller that sent none (a curl by hand, say). */
  defaultBudgetMs: number;
  /** Outages reported as SERVICE_UNAVAILABLE instead of INTERNAL_SERVER_ERROR. */
  dependencies?: readonly Dependency[];
  /** Span and metric name of the service; defaults to "rpc" for tests that do not care. */
  service?: string;
  metrics?: ServiceMetrics;
  /** Calls of one procedure running at once before more are refused with TOO_MANY_REQUESTS (default: no limit). */
  concurrencyLimit?: number;
}

/** One call as any transport delivers it. */
export interface IncomingCall {
  path: string;
  type: 'query' | 'mutation';
  input: unknown;
  /** The caller's remaining budget in ms; NaN when it sent none. */
  budgetMs: number;
  requestId: string;
  /** Where the caller's W3C trace context is read from (HTTP headers, or the frame's fields). */
  traceCarrier: Record<string, unknown>;
  /** True when an HTTP server span already covers the call. */
  instrumented?: boolean;
}

export type Dispatch = (call: IncomingCall) => Promise<{ status: number; body: WireResponse }>;

const overloaded = (path: string, limit: number): WireError => ({
  code: 'TOO_MANY_REQUESTS',
  message: `${path} is already running ${limit} calls on this instance`,
  reason: 'overloaded',
});

/**
 * Runs procedures of `router` for any transport: under the caller's deadline, request id and trace, with a span,
 * RED metrics and a concurrency limit per procedure (a slow dependency must not take every worker).
 */
export function createDispatcher(options: RpcServerOptions): Dispatch {
  const { router, logger, defaultBudgetMs, dependencies = [], service = 'rpc', metrics, concurrencyLimit = Infinity } = options;
  const inFlight = new Map<string, number>();

  return async (call) => {
    const scope = { requestId: call.requestId, deadline: Date.now() + (call.budgetMs > 0 ? call.budgetMs : defaultBudgetMs) };
    // Unknown paths are labelled as one value, so a scanner cannot create series at will.
    const procedure = Object.hasOwn(router._def.procedures, call.path) ? call.path : 'unknown';
    const active = context.active();
    const instrumented = call.instrumented ?? trace.getSpan(active) !== undefined;
    const parent = instrumented ? active : propagation.extract(active, call.traceCarrier);
    const kind = instrumented ? SpanKind.INTERNAL : SpanKind.SERVER;
    const started = performance.now();
    const running = inFlight.get(procedure) ?? 0;
    return tracer.startActiveSpan(`${service}/${procedure}`, { kind, attributes: rpcAttributes(service, procedure) }, parent, async (span) => {
      let code: WireError['code'] | 'OK' = 'OK';
      try {
        if (running >= concurrencyLimit && procedure !== 'unknown') {
          metrics?.rpcServerRejected.inc({ procedure });
          code = 'TOO_MANY_REQUESTS';
          return { status: 429, body: { error: overloaded(procedure, concurrencyLimit) } };
        }
        inFlight.set(procedure, running + 1);
        metrics?.rpcServerInFlight.inc({ procedure });
        try {
          if (call.budgetMs <= 0) throw new TRPCError({ code: 'TIMEOUT', message: 'deadline already passed' });
          const result = await runInScope(scope, () =>
            callTRPCProcedure({
              router,
              path: call.path,
              type: call.type,
              ctx: scope,
              getRawInput: async () => call.input,
              signal: undefined,
              batchIndex: 0,
            }),
          );
          // JSON drops an undefined value, and the client takes an answer without "result" for a foreign
          // server: a void procedure (follow, like) answers null instead.
          return { status: 200, body: { result: result ?? null } };
        } catch (err) {
          const { status, error } = toWireError(err, dependencies);
          if (status >= 500) logger.error({ err, requestId: call.requestId, path: call.path }, 'procedure failed');
          code = error.code;
          return { status, body: { error } };
        } finally {
          inFlight.set(procedure, (inFlight.get(procedure) ?? 1) - 1);
          metrics?.rpcServerInFlight.dec({ procedure });
        }
      } finally {
        metrics?.rpcServerRequests.inc({ procedure, code });
        metrics?.rpcServerDuration.observe({ procedure, outcome: outcomeOfCode(code) }, (performance.now() - started) / 1000);
        endSpan(span, code);
      }
    });
  };
}
