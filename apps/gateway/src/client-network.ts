import { isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** The eight groups of an IPv6 address, `::` expanded. */
function groupsOf(ip: string): string[] {
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
}

/**
 * What a client's limits count by: its IPv4 address, or its IPv6 address's /64. A subscriber gets a whole /64 and
 * may use any of its 2^64 addresses, so counting the address alone would let one client sidestep every per-IP
 * limit (sign-ups, logins, uploads at once) by changing address on each request.
 */
export function clientNetwork(ip: string): string {
  const mapped = IPV4_MAPPED.exec(ip);
  if (mapped) return mapped[1]!;
  const address = ip.split('%')[0]!; // a zone index (fe80::1%eth0) names an interface of this host
  if (!isIPv6(address)) return ip;
  return `${groupsOf(address).slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}

/** The client network of a request (see clientNetwork), from the address TRUSTED_PROXIES let through. */
export const clientOf = (req: FastifyRequest): string => clientNetwork(req.ip);
