import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace, type Span } from '@opentelemetry/api';
import type { TRPCClient } from '@trpc/client';
import type { AnyTRPCRouter, TRPC_ERROR_CODE_KEY } from '@trpc/server';
import type { ServiceMetrics } from '@douyin/metrics';
import type { Registry, ServiceInstance } from '@douyin/registry';
import type { Logger } from '@douyin/telemetry';
import { Breakers, type BreakerOptions } from './breakers.js';
import { currentScope } from './call-scope.js';
import { FrameTooLargeError } from './frames.js';
import { InstancePicker } from './instance-picker.js';
import { meshError } from './mesh-errors.js';
import { procedureClient } from './procedure-call.js';
import { SpanKind, endSpan, outcomeOfCode, rpcAttributes, tracer } from './rpc-outcome.js';
import { HttpTransport } from './http-transport.js';
import { StreamTransport } from './stream-transport.js';
import { RemoteError, TransportError, type RpcRequest, type Transport } from './transport.js';

export interface MeshOptions {
  registry: Registry;
  logger: Logger;
  /** Budget of a call made outside any request; inside one, the caller's remaining budget is the budget. */
  timeoutMs: number;
  /** Extra attempts for queries, each on another instance. */
  retries: number;
  breaker: BreakerOptions;
  /** Where calls, latencies and breaker states are counted; none in tests that do not look. */
  metrics?: ServiceMetrics;
  /** Persistent frame streams (default), or one HTTP request per call. */
  transport?: 'stream' | 'http';
}

/** A typed client for one service's router; procedures are called as `client.byId.query(input)`. */
export type MeshClient<R extends AnyTRPCRouter> = TRPCClient<R>;

export interface Mesh {
  /** The client every caller uses for `service`: discovery, round robin, breakers, deadlines, query retries. */
  client<R extends AnyTRPCRouter>(service: string): MeshClient<R>;
  /** Breaker state per instance id that this process has called. */
  breakerStates(): Map<string, 'open' | 'half-open' | 'closed'>;
  close(): Promise<void>;
}

const BACKOFF_BASE_MS = 20;

const isOpenBreakerRejection = (err: unknown): boolean => (err as { code?: unknown }).code === 'EOPENBREAKER';

/** Creates the process-wide mesh: shared connection pools and one breaker per instance. */
export function createMesh(options: MeshOptions): Mesh {
  const { registry, logger } = options;
  const transport: Transport = options.transport === 'http' ? new HttpTransport() : new StreamTransport();
  const breakers = new Breakers((instance, req) => transport.send(instance, req), options.breaker, logger, options.metrics);
  const pickers = new Map<string, InstancePicker>();
  const known = new Map<string, readonly ServiceInstance[]>();

  /** Notes the instances discovery lists now, dropping the breakers and connections of those that left. */
  function track(service: string, instances: readonly ServiceInstance[]): void {
    if (known.get(service) === instances) return;
    known.set(service, instances);
    const live = new Set([...known.values()].flatMap((list) => list.map((i) => i.id)));
    breakers.retain(live);
    transport.retain(live);
  }
  // As soon as discovery changes, not at the service's next call: one no longer called would keep the breakers,
  // breaker_state series and streams of instances long gone.
  const stopTracking = registry.onChange((service, instances) => {
    if (known.has(service)) track(service, instances);
  });

  async function call(service: string, path: string, type: 'query' | 'mutation', input: unknown): Promise<unknown> {
    const scope = currentScope();
    // Inside a request the caller's remaining budget is the budget; timeoutMs covers calls made outside any.
    const deadline = scope?.deadline ?? Date.now() + options.timeoutMs;
    const requestId = scope?.requestId ?? randomUUID();
    const picker = pickers.get(service) ?? pickers.set(service, new InstancePicker()).get(service)!;
    /** Instances this call reached, or failed to reach. */
    const tried = new Set<string>();
    /** Instances whose breaker refused this call without sending it (opened since the pick, or half-open with its probe out). */
    const refused = new Set<string>();
    const unavailable = (message: string, cause?: Error) =>
      meshError(service, path, { code: 'SERVICE_UNAVAILABLE', message }, 503, cause);
    const outOfTime = (cause?: Error) =>
      meshError(service, path, { code: 'GATEWAY_TIMEOUT', message: `${service} did not answer in time` }, 504, cause);
    const unsendable = (err: unknown) =>
      err instanceof FrameTooLargeError
        ? meshError(service, path, { code: 'PAYLOAD_TOO_LARGE', message: `the call to ${service} is too large to send`, reason: 'call_too_large' }, 413, err)
        : meshError(service, path, { code: 'INTERNAL_SERVER_ERROR', message: `the call to ${service} could not be encoded` }, 500, err as Error);
    let lastFailure: TransportError | undefined;
    // Only a query that reached an instance and failed spends a retry: a breaker's refusal or a connection refused sent
    // nothing, and the next instance takes the call as if it were the first.
    let retriesSpent = 0;
    let failures = 0;

    for (;;) {
      // Awaited only while discovery lists none (a service's first call): no promise per call otherwise.
      let instances = registry.instances(service);
      if (instances.length === 0) instances = await registry.ready(service, Math.max(0, deadline - Date.now()));
      // Measured after any wait for discovery: the callee gets what is left, not what was left before it.
      const budgetMs = deadline - Date.now();
      if (budgetMs <= 0) throw outOfTime(lastFailure);
      track(service, instances);
      const healthy = picker.pick(instances, (id) => breakers.isOpen(id) || refused.has(id), tried);
      // Every breaker is open (or half-open, its one probe out). Refusing would turn a busy service into a down one:
      // a lone instance that timed out under a burst would refuse everything until its reset. As in Envoy's panic
      // mode, the call goes to one of them anyway, past the breaker (which keeps its state and probes as before); a
      // dead instance still fails fast at connect. After a transport failure in this call, the call gives up instead.
      const instance = healthy ?? (lastFailure ? undefined : picker.pick(instances, () => false, tried));
      if (!instance) {
        const reason = lastFailure ? `${service} is unavailable` : instances.length ? `no healthy ${service} instance` : `no ${service} instance registered`;
        throw unavailable(reason, lastFailure);
      }
      const req: RpcRequest = { path, type, input, budgetMs, requestId };
      try {
        // A half-open breaker's probe reopens it on any failure but an answer: a call that cannot be sent at all says
        // nothing of the instance, and is refused here before it reaches the breaker. (Closed, the filter excuses it.)
        const breaker = healthy && breakers.for(instance);
        if (breaker && breaker.halfOpen) transport.assertSendable(req);
        return await (breaker ? breaker.fire(instance, req) : transport.send(instance, req));
      } catch (err) {
        if (err instanceof RemoteError) throw meshError(service, path, err.wire, err.status);
        // Nothing was sent: another instance may take it, or, when every breaker refuses, this one past its breaker.
        if (isOpenBreakerRejection(err)) {
          refused.add(instance.id);
          continue;
        }
        // Never sent: the caller's input could not be encoded. Typed like any mesh failure, so its caller reports it.
        if (!(err instanceof TransportError)) throw unsendable(err);
        tried.add(instance.id);
        lastFailure = err;
        failures++;
        logger.warn({ target: service, instance: instance.id, path, err: err.message }, 'mesh call failed');
        if (err.timedOut) throw outOfTime(err);
        // Mutations are never re-sent once they may have run; an undelivered call is safe to send to any instance
        // not tried yet. Discovery may have dropped the failed one meanwhile, so the next pick decides, not a count.
        const retryable = err.delivered ? type === 'query' && retriesSpent++ < options.retries : true;
        if (!retryable) throw unavailable(`${service} is unavailable`, err);
        const backoff = Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1) * (0.5 + Math.random()), deadline - Date.now());
        if (backoff > 0) await sleep(backoff);
      }
    }
  }

  /** One CLIENT span and one latency sample per call, retries included: what the caller waited for. */
  function observedCall(service: string, path: string, type: 'query' | 'mutation', input: unknown): Promise<unknown> {
    const started = performance.now();
    const run = async (span?: Span) => {
      let code: TRPC_ERROR_CODE_KEY | 'OK' = 'OK';
      try {
        return await call(service, path, type, input);
      } catch (err) {
        code = (err as { data?: { code?: TRPC_ERROR_CODE_KEY } }).data?.code ?? 'INTERNAL_SERVER_ERROR';
        throw err;
      } finally {
        options.metrics?.rpcClientRequests.inc({ target: service, procedure: path, code });
        const seconds = (performance.now() - started) / 1000;
        options.metrics?.rpcClientDuration.observe({ target: service, procedure: path, outcome: outcomeOfCode(code) }, seconds);
        if (span) endSpan(span, code);
      }
    };
    // Inside a request the sampler left out, a span of the call would not be recorded either: it goes out under the
    // request's context, whose traceparent already tells the callee not to record.
    const parent = trace.getActiveSpan();
    if (parent && !parent.isRecording()) return run();
    return tracer.startActiveSpan(`${service}/${path}`, { kind: SpanKind.CLIENT, attributes: rpcAttributes(service, path) }, run);
  }

  /**
   * The typed client of `service`: `client.a.b.query(input)` calls procedure `a.b`. A path proxy typed as
   * TRPCClient<R> calls the mesh directly: createTRPCClient's link chain (observables, share, an AbortController
   * per call) measured 17 µs per call here against 2 µs, paid on every hop of every request.
   */
  function typedClient<R extends AnyTRPCRouter>(service: string): MeshClient<R> {
    return procedureClient(service, (procedure, type, input) => observedCall(service, procedure, type, input)) as MeshClient<R>;
  }

  return {
    client<R extends AnyTRPCRouter>(service: string): MeshClient<R> {
      registry.instances(service); // start watching now, so the first call finds a warm cache
      return typedClient<R>(service);
    },
    breakerStates: () => breakers.states(),
    async close() {
      stopTracking();
      breakers.shutdown();
      await transport.close();
    },
  };
}
