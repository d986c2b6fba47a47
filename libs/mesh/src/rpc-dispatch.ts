import { context, propagation, trace } from '@opentelemetry/api';
import { TRPCError, type AnyTRPCRouter } from '@trpc/server';
import type { ServiceMetrics } from '@douyin/metrics';
import type { Logger } from '@douyin/telemetry';
import { ConcurrencyGate } from './concurrency-gate.js';
import { runProcedure } from './procedure-call.js';
import { SpanKind, endSpan, outcomeOfCode, rpcAttributes, tracer } from './rpc-outcome.js';
import { toWireError, type Dependency, type WireError, type WireResponse } from './wire.js';
import { ensureTimeToWrite } from './write-deadline.js';

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
  /** Calls of one procedure running at once (default: no limit)... */
  concurrencyLimit?: number;
  /** ...and calls waiting for a turn, each until its deadline, before more are refused with TOO_MANY_REQUESTS (default 0). */
  queueLimit?: number;
}

/** The most of a caller's budget a callee leaves for its answer to travel back; a twentieth of smaller budgets. */
const ANSWER_MARGIN_MAX_MS = 100;

/**
 * The deadline of a call that arrived now with `budgetMs` of its caller's time left. The caller's timer started
 * before the call left and fires after `budgetMs`; a callee working to the same length of time would answer after
 * it, so its answer about a dependency that ran out of time (relayed, not its own fault) would come too late and the
 * caller would count the timeout against this instance: one hanging leaf would open the breakers of every healthy
 * service in front of it. The callee stops a little earlier, leaving its answer the time to arrive.
 */
export function callDeadline(budgetMs: number, now = Date.now()): number {
  return now + budgetMs - Math.min(ANSWER_MARGIN_MAX_MS, budgetMs / 20);
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

const overloaded = (path: string, limit: number, queueLimit: number): WireError => ({
  code: 'TOO_MANY_REQUESTS',
  message:
    queueLimit > 0
      ? `${path} is running ${limit} calls on this instance and no turn was free before the deadline among ${queueLimit} waiting`
      : `${path} is already running ${limit} calls on this instance`,
  reason: 'overloaded',
});

const noGate = () => undefined;

/**
 * Runs procedures of `router` for any transport: under the caller's deadline, request id and trace, with a span,
 * RED metrics and a concurrency limit with a bounded wait queue per procedure (a slow dependency must not take
 * every worker, and a burst must not be refused while the queue can still answer it in time).
 */
export function createDispatcher(options: RpcServerOptions): Dispatch {
  const { router, logger, defaultBudgetMs, dependencies = [], service = 'rpc', metrics, concurrencyLimit = Infinity, queueLimit = 0 } = options;
  const gates = new Map<string, ConcurrencyGate>();
  const gateOf = (procedure: string) => {
    let gate = gates.get(procedure);
    if (!gate) gates.set(procedure, (gate = new ConcurrencyGate(concurrencyLimit, queueLimit)));
    return gate;
  };

  return async (call) => {
    const scope = { requestId: call.requestId, deadline: call.budgetMs > 0 ? callDeadline(call.budgetMs) : Date.now() + defaultBudgetMs };
    // Unknown paths are labelled as one value, so a scanner cannot create series at will.
    const procedure = Object.hasOwn(router._def.procedures, call.path) ? call.path : 'unknown';
    const active = context.active();
    const instrumented = call.instrumented ?? trace.getSpan(active) !== undefined;
    const parent = instrumented ? active : propagation.extract(active, call.traceCarrier);
    const kind = instrumented ? SpanKind.INTERNAL : SpanKind.SERVER;
    const started = performance.now();
    return tracer.startActiveSpan(`${service}/${procedure}`, { kind, attributes: rpcAttributes(service, procedure) }, parent, async (span) => {
      let code: WireError['code'] | 'OK' = 'OK';
      try {
        // An unknown path costs nothing to refuse, so it takes no turn.
        const release = procedure === 'unknown' ? noGate : await gateOf(procedure).enter(scope.deadline);
        if (!release) {
          metrics?.rpcServerRejected.inc({ procedure });
          code = 'TOO_MANY_REQUESTS';
          return { status: 429, body: { error: overloaded(procedure, concurrencyLimit, queueLimit) } };
        }
        metrics?.rpcServerInFlight.inc({ procedure });
        try {
          if (call.budgetMs <= 0) throw new TRPCError({ code: 'TIMEOUT', message: 'deadline already passed' });
          // A mutation whose turn came late (it waited in the queue) is not run at all.
          if (call.type === 'mutation') ensureTimeToWrite(scope);
          const result = await runProcedure(router, scope, call.path, call.type, call.input);
          // JSON drops an undefined value, and the client takes an answer without "result" for a foreign
          // server: a void procedure (follow, like) answers null instead.
          return { status: 200, body: { result: result ?? null } };
        } catch (err) {
          const { status, error } = toWireError(err, dependencies);
          if (status >= 500) logger.error({ err, requestId: call.requestId, path: call.path }, 'procedure failed');
          code = error.code;
          return { status, body: { error } };
        } finally {
          release();
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
