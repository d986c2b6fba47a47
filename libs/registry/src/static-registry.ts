import { parseStaticServices } from '@douyin/config';
import type { Logger } from '@douyin/telemetry';
import type { Registry, ServiceInstance } from './types.js';

export interface StaticRegistryOptions {
  staticServices?: string;
  logger: Logger;
}

const EMPTY: readonly ServiceInstance[] = Object.freeze([]);

/** Discovery from a fixed list (embedded mode): no registry server, so registration is a no-op and `ready` never waits. */
export function createStaticRegistry({ staticServices = '', logger }: StaticRegistryOptions): Registry {
  const table = new Map<string, readonly ServiceInstance[]>();
  for (const [service, endpoints] of parseStaticServices(staticServices)) {
    const instances = endpoints.map(({ address, port }) => ({ id: `${service}@${address}:${port}`, service, address, port, tags: [], meta: {} }));
    table.set(service, Object.freeze(instances));
  }
  const instances = (service: string) => table.get(service) ?? EMPTY;
  return {
    kind: 'static',
    async register({ service, id }) {
      logger.debug({ target: service, id }, 'static registry: nothing to register with');
    },
    async deregister(id) {
      logger.debug({ id }, 'static registry: nothing to deregister from');
    },
    instances,
    ready: async (service) => instances(service),
    onChange: () => () => {},
    async close() {},
  };
}
