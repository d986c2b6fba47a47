import type { Logger } from '@douyin/telemetry';

/** One reachable copy of a service, as discovery hands it to callers. */
export interface ServiceInstance {
  id: string;
  service: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
}

export interface InstanceRegistration {
  service: string;
  id: string;
  address: string;
  port: number;
  tags?: string[];
  meta?: Record<string, string>;
  /** e.g. http://127.0.0.1:9101/healthz */
  healthCheckUrl: string;
  /** default 2000 */
  checkIntervalMs?: number;
  /** default 1000 */
  checkTimeoutMs?: number;
  /** default 60000 */
  deregisterCriticalAfterMs?: number;
}

export interface Registry {
  readonly kind: 'consul' | 'static';
  register(registration: InstanceRegistration): Promise<void>;
  deregister(id: string): Promise<void>;
  /** Healthy instances from the local cache; the first call for a service starts watching it. Never waits on the network. */
  instances(service: string): readonly ServiceInstance[];
  /**
   * Resolves with the healthy instances once the first answer for `service` arrived, with what is cached once discovery
   * failed to answer (a call then fails at once as unavailable), or after timeoutMs.
   */
  ready(service: string, timeoutMs: number): Promise<readonly ServiceInstance[]>;
  /**
   * Tells `listener` the new list each time a watched service's instances change (a static list never does); returns
   * what stops it.
   */
  onChange(listener: (service: string, instances: readonly ServiceInstance[]) => void): () => void;
  /** Stops every watch. */
  close(): Promise<void>;
}

export interface RegistryConfig {
  consulUrl?: string;
  consulToken?: string;
  staticServices?: string;
  logger: Logger;
}
