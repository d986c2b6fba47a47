import type Consul from 'consul';
import type { Logger } from '@douyin/telemetry';
import { toInstances } from './health-entries.js';
import type { ServiceInstance } from './types.js';

/** The local view of one service's passing instances, kept current by a Consul blocking-query watch. */
export interface ServiceWatch {
  current(): readonly ServiceInstance[];
  /** The instances once Consul first answered, or failed to, or `timeoutMs` passed. */
  ready(timeoutMs: number): Promise<readonly ServiceInstance[]>;
  stop(): void;
}

// Ask again quickly after a blip, but never leave discovery stale for long once Consul is back.
const BACKOFF_FACTOR_MS = 100;
const BACKOFF_MAX_MS = 5_000;

/**
 * How long after an outage an instance last seen that Consul no longer lists at all stays in place. A Consul back
 * without its state (a dev agent restarted, a cluster rebuilt) lists the live ones again one by one, as each one's
 * keeper registers it (every 10 s) and it passes a check; until then calls would pile onto the first ones back, or
 * fail, though every one is serving.
 */
const RESTART_GRACE_MS = 20_000;

const byId = (instances: ServiceInstance[]): readonly ServiceInstance[] => Object.freeze(instances.sort((a, b) => a.id.localeCompare(b.id)));

const sameIds = (a: readonly ServiceInstance[], b: readonly ServiceInstance[]) =>
  a.length === b.length && a.every((instance, i) => instance.id === b[i]?.id);

/**
 * Watches `service` until stopped; while Consul is unreachable, and for a while after it came back without its
 * state, it keeps serving the last known instances.
 */
export function watchService(
  consul: Consul,
  service: string,
  logger: Logger,
  { restartGraceMs = RESTART_GRACE_MS, changed }: { restartGraceMs?: number; changed?: (instances: readonly ServiceInstance[]) => void } = {},
): ServiceWatch {
  let cache: readonly ServiceInstance[] = Object.freeze([]);
  let answered = false;
  let lastFailure = 0; // 0 while Consul answers
  let backAt = -Infinity; // when Consul answered after an outage
  let stopped = false;
  let watch: ReturnType<Consul['watch']> | undefined;
  let restart: NodeJS.Timeout | undefined;
  let failuresInARow = 0;
  let graceEnd: NodeJS.Timeout | undefined;
  // The return of Consul that first found each kept instance missing: however often Consul comes back and goes away
  // again, an instance leaves once it has been missing for a whole grace from then.
  const missingSince = new Map<string, number>();
  const waiting = new Set<() => void>();

  const release = () => {
    for (const done of [...waiting]) done();
  };

  const adopt = (next: readonly ServiceInstance[]) => {
    clearTimeout(graceEnd);
    graceEnd = undefined;
    const different = !answered || !sameIds(cache, next);
    if (different) logger.info({ target: service, instances: next.map((i) => i.id) }, 'service instances changed');
    answered = true;
    cache = next;
    release();
    if (different) changed?.(next);
  };

  /**
   * Adopts the instances Consul's answer lists as passing, keeping for the rest of their grace those last seen that it
   * does not list, or has not checked yet, since it came back from an outage.
   */
  const settle = (entries: unknown) => {
    const next = byId(toInstances(entries, { only: 'passing' }));
    const now = Date.now();
    const checkedIds = new Set(toInstances(entries, { only: 'checked' }).map((instance) => instance.id));
    const keptUntil = (id: string) => (missingSince.get(id) ?? backAt) + restartGraceMs;
    const unlisted = cache.filter((instance) => !checkedIds.has(instance.id) && keptUntil(instance.id) > now);
    for (const id of missingSince.keys()) if (!unlisted.some((instance) => instance.id === id)) missingSince.delete(id);
    if (unlisted.length === 0) return adopt(next);
    // Back from an outage without some of them (or with them registered again but not checked yet): more likely a
    // Consul that lost its state than instances gone while it was away. Those still serving register again and pass
    // a check soon; a real departure waits out the grace.
    const newlyMissing = unlisted.filter((instance) => !missingSince.has(instance.id));
    for (const instance of newlyMissing) missingSince.set(instance.id, backAt);
    if (newlyMissing.length > 0) logger.info({ target: service, unlisted: newlyMissing.map((i) => i.id) }, 'consul came back without these instances; keeping them until they register again');
    adopt(byId([...next, ...unlisted]));
    // Each kept instance leaves at its own time: the answer is looked at again at the first of them.
    graceEnd = setTimeout(() => {
      graceEnd = undefined;
      // Down again meanwhile: the outage keeps what is known, as ever.
      if (lastFailure === 0) settle(entries);
    }, Math.min(...unlisted.map((instance) => keptUntil(instance.id))) - now);
    graceEnd.unref();
  };

  const start = () => {
    // Every registered instance, failing ones too: after an outage, one whose check Consul has run and seen fail is
    // known to be in trouble, while one it does not list, or has not checked yet, may only be registering again.
    const current = consul.watch({
      method: consul.health.service,
      options: { service },
    });
    watch = current;
    current.on('change', (entries: unknown) => {
      // An answer already on its way when the watch was stopped.
      if (stopped) return;
      failuresInARow = 0;
      if (lastFailure !== 0) {
        logger.info({ target: service }, 'consul reachable again, discovery resumed');
        backAt = Date.now();
      }
      lastFailure = 0;
      settle(entries);
    });
    current.on('error', (err: Error) => {
      if (stopped || current !== watch) return;
      if (lastFailure === 0) logger.warn({ target: service, err, cached: cache.length }, 'consul watch failed, serving cached instances while retrying');
      lastFailure = Date.now();
      // Callers waiting for a first answer have their answer: none known. Waiting on for one, each would hold its
      // request to its deadline and fail as a timeout, where a service nobody can find is unavailable now.
      release();
      // The client would ask again with the index it last saw, and an agent restarted without its state holds such
      // a query (its own index is below) for the whole wait, 30 s, before answering: discovery would stay blind that
      // long after Consul came back. A new watch asks without an index, and is answered at once. (The client also
      // ends a watch for good on a 400 or an unsupported answer, after this event: a new one does not go stale.)
      watch = undefined;
      current.end();
      const backoff = Math.min(BACKOFF_FACTOR_MS * 2 ** failuresInARow++, BACKOFF_MAX_MS);
      restart = setTimeout(start, backoff);
    });
  };
  start();

  return {
    current: () => cache,
    ready(timeoutMs) {
      if (answered || stopped || lastFailure !== 0) return Promise.resolve(cache);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve(cache);
        };
        const timer = setTimeout(done, timeoutMs);
        waiting.add(done);
      });
    },
    stop() {
      stopped = true;
      clearTimeout(restart);
      clearTimeout(graceEnd);
      watch?.end();
      release();
    },
  };
}
