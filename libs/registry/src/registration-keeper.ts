import type Consul from 'consul';
import type { Logger } from '@douyin/telemetry';

/** node-consul's per-call `timeout` (a common option in its README), which its type declarations leave out. */
export const withTimeout = <T extends object>(options: T, timeoutMs: number): T => ({ ...options, timeout: timeoutMs });

export const statusCodeOf = (err: unknown) =>
  typeof err === 'object' && err !== null && 'statusCode' in err ? err.statusCode : undefined;

/** An answer Consul will give again however often it is asked: a token without service:write, a definition it rejects. */
const isRefusal = (err: unknown) => {
  const code = statusCodeOf(err);
  return typeof code === 'number' && code >= 400 && code < 500;
};

/** How a registration reaches the agent; the keeper only decides when. */
export type RegisterCall<R> = (registration: R) => Promise<void>;

export interface RegistrationKeeper<R extends { id: string; service: string }> {
  /**
   * Registers now and keeps it registered. Consul unreachable or failing is logged and retried (it may come later);
   * a refusal (4xx) is thrown, since no retry would change it.
   */
  add(registration: R): Promise<void>;
  /** Stops keeping `id`, once a registration of it under way is done, so nothing registers it after its deregistration. */
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
  /** Registered by `add` but not yet taken by the agent (it was unreachable then). */
  const notYetTaken = new Set<string>();
  /** Registrations the loop is sending, which a removal of their id waits for. */
  const sending = new Map<string, Promise<void>>();
  /** Ids whose last registration failed, said once until one succeeds. */
  const complained = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  let unreachable = false;

  const registerAgain = async (registration: R) => {
    const { id, service } = registration;
    try {
      await register(registration);
      const why = notYetTaken.delete(id) ? 'registered with consul, unreachable when the instance started' : 'consul had lost this instance (restarted, or reaped it); registered it again';
      logger.warn({ target: service, id }, why);
      complained.delete(id);
    } catch (err) {
      if (!complained.has(id)) logger.error({ err, target: service, id }, `could not register with consul; retrying every ${everyMs} ms`);
      complained.add(id);
    }
  };

  const check = async () => {
    let known: Record<string, unknown>;
    try {
      known = (await consul.agent.service.list(withTimeout({}, callTimeoutMs))) as Record<string, unknown>;
    } catch (err) {
      // Once per outage: the loop retries for as long as it lasts.
      if (!unreachable) logger.error({ err, ids: [...kept.keys()] }, `consul unreachable; checking the registrations again every ${everyMs} ms`);
      unreachable = true;
      return;
    }
    if (unreachable) logger.info('consul reachable again; registrations checked');
    unreachable = false;
    for (const registration of kept.values()) {
      // Removed while the list was out: not to be registered again.
      if (registration.id in known || !kept.has(registration.id)) continue;
      const sent = registerAgain(registration);
      sending.set(registration.id, sent);
      await sent;
      sending.delete(registration.id);
    }
  };

  return {
    async add(registration) {
      kept.set(registration.id, registration);
      // A check still waiting on a slow agent skips the tick rather than queue another behind it.
      timer ??= setInterval(() => {
        if (checking) return;
        checking = true;
        void check().finally(() => (checking = false));
      }, everyMs).unref();
      try {
        await register(registration);
        logger.info({ target: registration.service, id: registration.id }, 'registered with consul');
      } catch (err) {
        if (isRefusal(err)) {
          kept.delete(registration.id);
          throw err;
        }
        notYetTaken.add(registration.id);
        complained.add(registration.id);
        logger.error({ err, target: registration.service, id: registration.id }, `could not register with consul; retrying every ${everyMs} ms`);
      }
    },
    async remove(id) {
      kept.delete(id);
      await sending.get(id);
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      kept.clear();
      await Promise.all(sending.values());
    },
  };
}
