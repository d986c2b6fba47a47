import type Consul from 'consul';
import type { Logger } from '@douyin/telemetry';

/** node-consul's per-call `timeout` (a common option in its README), which its type declarations leave out. */
export const withTimeout = <T extends object>(options: T, timeoutMs: number): T => ({ ...options, timeout: timeoutMs });

/** How a registration reaches the agent; the keeper only decides when. */
export type RegisterCall<R> = (registration: R) => Promise<void>;

export interface RegistrationKeeper<R extends { id: string; service: string }> {
  /** Registers now and keeps it registered; a failure is logged and retried, not thrown (Consul may come later). */
  add(registration: R): Promise<void>;
  /** Stops keeping `id`, once any check in progress is done, so nothing registers it again after its deregistration. */
  remove(id: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keeps this process's instances registered with the agent. An agent that restarts without its state (a dev agent, a
 * replaced pod), or reaps an instance whose check failed past `deregistercriticalserviceafter` during a partition,
 * forgets it for good: every `everyMs` the keeper lists the agent's services and registers again whatever is missing,
 * as Consul's own anti-entropy does for services defined in its configuration files. The same loop retries a
 * registration that failed at start, so a process started while Consul is down joins once it is back.
 */
export function registrationKeeper<R extends { id: string; service: string }>(
  consul: Consul,
  register: RegisterCall<R>,
  logger: Logger,
  { everyMs, callTimeoutMs }: { everyMs: number; callTimeoutMs: number },
): RegistrationKeeper<R> {
  const kept = new Map<string, R>();
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> = Promise.resolve();
  let inFlight = false;
  let failing = false;

  const registerAgain = async (registration: R, why: string) => {
    await register(registration);
    logger.warn({ target: registration.service, id: registration.id }, why);
  };

  const check = async () => {
    try {
      const known = (await consul.agent.service.list(withTimeout({}, callTimeoutMs))) as Record<string, unknown>;
      for (const registration of [...kept.values()]) {
        if (!(registration.id in known)) await registerAgain(registration, 'consul did not have this instance (restarted, or reaped it); registered it again');
      }
      if (failing) logger.info('consul reachable again; registrations checked');
      failing = false;
    } catch (err) {
      // Once per outage: the loop retries every few seconds for as long as it lasts.
      if (!failing) logger.error({ err, ids: [...kept.keys()] }, `consul unreachable; checking the registrations again every ${everyMs} ms`);
      failing = true;
    }
  };

  return {
    async add(registration) {
      kept.set(registration.id, registration);
      // A check still waiting on a slow agent skips the tick rather than queue another behind it.
      timer ??= setInterval(() => {
        if (inFlight) return;
        inFlight = true;
        checking = check().finally(() => (inFlight = false));
      }, everyMs).unref();
      try {
        await register(registration);
        logger.info({ target: registration.service, id: registration.id }, 'registered with consul');
      } catch (err) {
        failing = true;
        logger.error({ err, target: registration.service, id: registration.id }, `could not register with consul; retrying every ${everyMs} ms`);
      }
    },
    async remove(id) {
      kept.delete(id);
      await checking;
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      kept.clear();
      await checking;
    },
  };
}
