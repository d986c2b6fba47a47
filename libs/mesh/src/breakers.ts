import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { ServiceMetrics } from '@douyin/metrics';
import type { ServiceInstance } from '@douyin/registry';
import type { Logger } from '@douyin/telemetry';
import { RemoteError, TransportError, type RpcRequest } from './transport.js';

export interface BreakerOptions {
  /** The error rate over the window, once it holds `volume` calls, that opens a breaker... */
  errorPercent: number;
  volume: number;
  /**
   * ...or this many failures in a row: an instance that dies after serving well for a while keeps its successes in
   * the window for seconds, and every call sent to it meanwhile waits on a failed attempt before its retry.
   */
  consecutiveFailures: number;
  resetMs: number;
}

// The breaker_state gauge's values: dashboards colour 0/1/2 as closed/half-open/open.
const STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

type Send = (instance: ServiceInstance, req: RpcRequest) => Promise<unknown>;
export type InstanceBreaker = CircuitBreaker<[ServiceInstance, RpcRequest], unknown>;

/**
 * A call that ran out of time with less budget than this says more about its caller (a request that spent its time
 * elsewhere) than about the instance: its timeout does not count against the instance's breaker.
 */
const MIN_BLAMED_BUDGET_MS = 50;

/**
 * An answer that shows the instance alive: a typed answer (even NOT_FOUND); of its 5xx-class answers, only one it
 * relays (its own dependency timed out or is down), which must not open this breaker too: one overloaded leaf would
 * otherwise cut off every service in front of it, healthy or not. All a half-open breaker's probe may fail with and
 * still close it.
 */
const provesAlive = (err: unknown): boolean => err instanceof RemoteError && (err.status < 500 || err.wire.relayed === true);

/** Failures that are not the instance's own; opossum passes the call's arguments after the error. */
const notTheInstances = (err: unknown, ...[, req]: [ServiceInstance?, RpcRequest?]): boolean =>
  provesAlive(err) ||
  (err instanceof TransportError && err.timedOut && (req?.budgetMs ?? Infinity) < MIN_BLAMED_BUDGET_MS) ||
  // The caller's own failure to send (an input JSON cannot carry, or too large for a frame) says nothing of the instance.
  !(err instanceof RemoteError || err instanceof TransportError);

// The window the error rate is counted over, in buckets of a second.
const WINDOW_MS = 10_000;
const BUCKETS = 10;

/** One opossum breaker per instance: a failing instance is skipped while its neighbours keep serving. */
export class Breakers {
  private readonly byInstance = new Map<string, InstanceBreaker>();
  /** Turns every breaker's window a bucket on: one timer for all of them, where opossum would start two each. */
  private readonly rotation = new EventEmitter().setMaxListeners(0);
  private rotating: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: Send,
    private readonly options: BreakerOptions,
    private readonly logger: Logger,
    private readonly metrics?: ServiceMetrics,
  ) {}

  for(instance: ServiceInstance): InstanceBreaker {
    let breaker = this.byInstance.get(instance.id);
    if (!breaker) {
      breaker = this.create(instance);
      this.byInstance.set(instance.id, breaker);
      this.rotating ??= setInterval(() => this.rotation.emit('rotate'), WINDOW_MS / BUCKETS).unref();
    }
    return breaker;
  }

  private create(instance: ServiceInstance): InstanceBreaker {
    const breaker: InstanceBreaker = new CircuitBreaker(this.send, {
      name: instance.service,
      // Deadlines are enforced per call by the transport, not by a fixed breaker timeout.
      timeout: false,
      errorThresholdPercentage: this.options.errorPercent,
      volumeThreshold: this.options.volume,
      resetTimeout: this.options.resetMs,
      rollingCountTimeout: WINDOW_MS,
      rollingCountBuckets: BUCKETS,
      rotateBucketController: this.rotation,
      enableSnapshots: false,
      // Latency percentiles are the histograms' job: opossum would keep every call's latency for the window
      // (tens of thousands at a busy gateway) and sort them each second.
      rollingPercentilesEnabled: false,
      // opossum closes a half-open breaker on any call its filter excuses: a probe that ran out of its caller's time,
      // or never left this process, would close it on no evidence.
      errorFilter: (err: unknown, ...args: [ServiceInstance?, RpcRequest?]) => (breaker.halfOpen ? provesAlive(err) : notTheInstances(err, ...args)),
    });
    const id = instance.id;
    const labels = { target: instance.service, target_instance: id };
    const record = (state: keyof typeof STATE_VALUE) => {
      this.metrics?.breakerState.set(labels, STATE_VALUE[state]);
      this.metrics?.breakerTransitions.inc({ target: instance.service, state });
    };
    this.metrics?.breakerState.set(labels, STATE_VALUE.closed);
    breaker.on('open', () => {
      this.logger.warn({ instance: id }, 'breaker opened');
      record('open');
    });
    breaker.on('halfOpen', () => {
      this.logger.info({ instance: id }, 'breaker half-open');
      record('half_open');
    });
    let failuresInARow = 0;
    // opossum emits 'success', with the error, for the failures errorFilter excuses too. A typed answer shows the
    // instance alive; a call that ran out of a nearly spent budget, or never left, shows nothing, and must not break
    // a run of failures (calls late in their requests, between the timeouts of a dead host, would keep it closed).
    breaker.on('success', (result: unknown) => {
      if (!(result instanceof Error) || provesAlive(result)) failuresInARow = 0;
    });
    breaker.on('failure', () => {
      failuresInARow += 1;
      if (failuresInARow >= this.options.consecutiveFailures && breaker.closed) breaker.open();
    });
    const status = breaker.status as unknown as { rotateBucket(): void };
    breaker.on('close', () => {
      failuresInARow = 0;
      // A closed breaker starts over: the failures that opened it would otherwise still fill its window, and the
      // first failure after its probe succeeded would open it again.
      for (let i = 0; i < BUCKETS; i++) status.rotateBucket();
      this.logger.info({ instance: id }, 'breaker closed');
      record('closed');
    });
    return breaker;
  }

  /** Each known instance's breaker state, for tests, logs and metrics. */
  states(): Map<string, 'open' | 'half-open' | 'closed'> {
    return new Map([...this.byInstance].map(([id, b]) => [id, b.opened ? 'open' : b.halfOpen ? 'half-open' : 'closed']));
  }

  isOpen(instanceId: string): boolean {
    return this.byInstance.get(instanceId)?.opened ?? false;
  }

  /** Forgets instances that left discovery, so their timers do not pile up. */
  retain(liveIds: ReadonlySet<string>): void {
    for (const [id, breaker] of this.byInstance) {
      if (!liveIds.has(id)) {
        breaker.shutdown();
        this.byInstance.delete(id);
        // A departed instance's series would otherwise report its last state forever.
        this.metrics?.breakerState.remove({ target: breaker.name, target_instance: id });
      }
    }
  }

  shutdown(): void {
    for (const breaker of this.byInstance.values()) breaker.shutdown();
    this.byInstance.clear();
    clearInterval(this.rotating);
    this.rotating = undefined;
  }
}
