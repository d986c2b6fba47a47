import type { Logger } from '@douyin/telemetry';
import type { Registry, ServiceInstance } from './types.js';

export interface StaticEndpoint {
  address: string;
  port: number;
}

export interface StaticRegistryOptions {
  staticServices?: string;
  logger: Logger;
}

const EMPTY: readonly ServiceInstance[] = Object.freeze([]);
const ENTRY = /^([\w-]+)\s*=\s*(.+)$/;
const ENDPOINT = /^(?:\[([^\]]+)\]|([^\s:[\]]+)):(\d{1,5})$/; // host:port or [ipv6]:port

/** Parses "user=127.0.0.1:9101,127.0.0.1:9111;video=127.0.0.1:9102"; throws an Error naming the first bad entry. */
export function parseStaticServices(spec: string): Map<string, StaticEndpoint[]> {
  const services = new Map<string, StaticEndpoint[]>();
  for (const entry of spec.split(';').map((e) => e.trim()).filter((e) => e !== '')) {
    const [, name, list] = ENTRY.exec(entry) ?? [];
    if (!name || !list) throw new Error(`static services: bad entry "${entry}", expected name=host:port[,host:port]`);
    if (services.has(name)) throw new Error(`static services: "${name}" is listed twice`);
    services.set(name, list.split(',').map((endpoint) => parseEndpoint(endpoint.trim(), entry)));
  }
  return services;
}

function parseEndpoint(endpoint: string, entry: string): StaticEndpoint {
  const [, ipv6, host, port] = ENDPOINT.exec(endpoint) ?? [];
  const address = ipv6 ?? host;
  const portNumber = Number(port);
  if (!address || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw new Error(`static services: bad address "${endpoint}" in "${entry}", expected host:port`);
  }
  return { address, port: portNumber };
}

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
