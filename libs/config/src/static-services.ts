import { z } from 'zod';

export interface StaticEndpoint {
  address: string;
  port: number;
}

const ENTRY = /^([\w-]+)\s*=\s*(.+)$/;
const ENDPOINT = /^(?:\[([^\]]+)\]|([^\s:[\]]+)):(\d{1,5})$/; // host:port or [ipv6]:port

/**
 * Parses "user=127.0.0.1:9101, 127.0.0.1:9111; video=127.0.0.1:9102"; throws an Error naming the first bad entry.
 * Here rather than in the static registry, its user, so that the configuration refuses what the registry could not read.
 */
export function parseStaticServices(spec: string): Map<string, StaticEndpoint[]> {
  const services = new Map<string, StaticEndpoint[]>();
  for (const entry of spec.split(';').map((e) => e.trim()).filter((e) => e !== '')) {
    const [, name, list] = ENTRY.exec(entry) ?? [];
    if (!name || !list) throw new Error(`bad entry "${entry}", expected name=host:port[,host:port]`);
    if (services.has(name)) throw new Error(`"${name}" is listed twice`);
    services.set(name, list.split(',').map((endpoint) => parseEndpoint(endpoint.trim(), entry)));
  }
  return services;
}

function parseEndpoint(endpoint: string, entry: string): StaticEndpoint {
  const [, ipv6, host, port] = ENDPOINT.exec(endpoint) ?? [];
  const address = ipv6 ?? host;
  const portNumber = Number(port);
  if (!address || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw new Error(`bad address "${endpoint}" in "${entry}", expected host:port`);
  }
  return { address, port: portNumber };
}

/**
 * STATIC_SERVICES, refused for whatever the parser refuses: a list only the static registry found wrong would stop
 * the process later, with a stack trace, instead of with the other configuration problems.
 */
export const StaticServices = z.string().superRefine((spec, ctx) => {
  try {
    // Set but blank (`STATIC_SERVICES=" "`, `;`) would leave every call without an instance.
    if (parseStaticServices(spec).size === 0) ctx.addIssue({ code: 'custom', message: 'expected name=host:port[,host:port][;name=...]' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});
