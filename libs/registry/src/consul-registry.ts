import Consul from 'consul';
import { outsideRequests, type Logger } from '@douyin/telemetry';
import { registrationKeeper, statusCodeOf, withTimeout } from './registration-keeper.js';
import { watchService, type ServiceWatch } from './service-watch.js';
import type { InstanceRegistration, Registry, ServiceInstance } from './types.js';

export interface ConsulRegistryOptions {
  consulUrl: string;
  consulToken?: string;
  logger: Logger;
  /** How often the agent is asked whether it still has this process's instances (default 10 s). */
  keepEveryMs?: number;
  /** The longest a register, deregister or check call may take (default 3 s): a start or a stop is not held by it. */
  callTimeoutMs?: number;
  /** How long after an outage an instance last seen outlives Consul not listing it, or not having checked it yet (default 20 s). */
  restartGraceMs?: number;
}

// Consul durations are Go strings ("2s", "150ms").
const goDuration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

function toServiceDefinition(r: InstanceRegistration) {
  return {
    id: r.id,
    name: r.service,
    address: r.address,
    port: r.port,
    tags: r.tags ?? [],
    meta: r.meta ?? {},
    check: {
      name: `Service '${r.service}' check`,
      http: r.healthCheckUrl,
      interval: goDuration(r.checkIntervalMs ?? 2_000),
      timeout: goDuration(r.checkTimeoutMs ?? 1_000),
      deregistercriticalserviceafter: goDuration(r.deregisterCriticalAfterMs ?? 60_000),
    },
  };
}

/**
 * Registers with the local Consul agent and keeps the registration there (registration-keeper.ts); discovers passing
 * instances through one blocking-query watch per service.
 */
export function createConsulRegistry({ consulUrl, consulToken, logger, keepEveryMs = 10_000, callTimeoutMs = 3_000, restartGraceMs }: ConsulRegistryOptions): Registry {
  const url = new URL(consulUrl);
  const secure = url.protocol === 'https:';
  const consul = new Consul({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    secure,
    ...(consulToken ? { defaults: { token: consulToken } } : {}),
  });
  const watches = new Map<string, ServiceWatch>();
  const listeners = new Set<(service: string, instances: readonly ServiceInstance[]) => void>();
  let closed = false;
  const keeper = registrationKeeper(
    consul,
    (registration: InstanceRegistration) => consul.agent.service.register(withTimeout(toServiceDefinition(registration), callTimeoutMs)),
    logger,
    { everyMs: keepEveryMs, callTimeoutMs },
  );

  const watchOf = (service: string): ServiceWatch | undefined => {
    let watch = watches.get(service);
    if (!watch && !closed) {
      // The first to ask may be a request being served (GET /sd/prometheus, a first call): the watch outlives it,
      // and its long polls must not go on in that request's trace for as long as the process runs.
      const changed = (instances: readonly ServiceInstance[]) => {
        for (const listener of listeners) listener(service, instances);
      };
      watch = outsideRequests(() => watchService(consul, service, logger, { restartGraceMs, changed }));
      watches.set(service, watch);
    }
    return watch;
  };

  return {
    kind: 'consul',
    register: (registration) => keeper.add(registration),
    async deregister(id) {
      await keeper.remove(id);
      try {
        await consul.agent.service.deregister(withTimeout({ id }, callTimeoutMs));
        logger.info({ id }, 'deregistered from consul');
      } catch (err) {
        // Already gone (the agent reaped it, or a second shutdown path ran): the outcome the caller wanted.
        if (statusCodeOf(err) !== 404) throw err;
        logger.debug({ id }, 'consul did not know the instance');
      }
    },
    instances: (service) => watchOf(service)?.current() ?? [],
    ready: async (service, timeoutMs) => (await watchOf(service)?.ready(timeoutMs)) ?? [],
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      await keeper.stop();
      for (const watch of watches.values()) watch.stop();
      // The client keeps sockets alive; without this a closed registry would hold the process open.
      consul.destroy();
    },
  };
}
