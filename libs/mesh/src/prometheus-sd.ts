import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { EMBEDDED_PORTS, type ServiceConfig } from '@douyin/config';
import type { Registry } from '@douyin/registry';
import { hostPort } from './host-port.js';

/** One Prometheus HTTP SD target group: https://prometheus.io/docs/prometheus/latest/http_sd/ */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

// How long one SD request waits for a service's first discovery answer; Prometheus refreshes it anyway.
const FIRST_ANSWER_MS = 1_000;

/**
 * Every instance of every mesh app that discovery knows, plus this one (the static list has no gateway entry):
 * the scrape list for Prometheus builds whose `consul_sd_configs` is missing (Debian's 2.42).
 */
export async function prometheusTargets(registry: Registry, self: ServiceConfig, port: number): Promise<TargetGroup[]> {
  const groups = new Map<string, TargetGroup>();
  const add = (service: string, address: string, instancePort: number) => {
    const target = hostPort(address, instancePort);
    if (!groups.has(target)) groups.set(target, { targets: [target], labels: { service } });
  };
  add(self.name, self.advertiseHost, port);
  const services = Object.keys(EMBEDDED_PORTS);
  const found = await Promise.all(services.map((service) => registry.ready(service, FIRST_ANSWER_MS)));
  for (const instances of found) for (const i of instances) add(i.service, i.address, i.port);
  return [...groups.values()];
}

/** GET /sd/prometheus: the scrape targets as Prometheus HTTP service discovery reads them. */
export function registerPrometheusSd(app: FastifyInstance, registry: Registry, self: ServiceConfig, port: () => number, guard?: onRequestHookHandler): void {
  app.get('/sd/prometheus', { ...(guard && { onRequest: guard }) }, async () => prometheusTargets(registry, self, port()));
}
