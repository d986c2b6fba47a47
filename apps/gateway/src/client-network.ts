import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** The eight 16-bit groups of an IPv6 address, `::` expanded and a trailing dotted IPv4 part as two groups. */
function groupsOf(ip: string): number[] {
  const [head = '', tail = ''] = ip.split('::');
  const parse = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!isIPv4(group)) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const dotted = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
const zeros = (groups: number[]) => groups.every((group) => group === 0);

/**
 * What a client's limits count by: its IPv4 address, or its IPv6 address's /64. A subscriber gets a whole /64 and
 * may use any of its 2^64 addresses, so counting the address alone would let one client sidestep every per-IP
 * limit (sign-ups, logins, uploads at once) by changing address on each request. An IPv4 address carried in IPv6
 * (a dual-stack socket's ::ffff:a.b.c.d, in any spelling, or NAT64's 64:ff9b::a.b.c.d) is that IPv4 client.
 */
export function clientNetwork(ip: string | undefined): string {
  if (!ip) return 'unknown'; // a socket already gone, whose address was never read
  const address = ip.split('%')[0]!; // a zone index (fe80::1%eth0) names an interface of this host
  if (!isIPv6(address)) return ip;
  const g = groupsOf(address);
  if (zeros(g.slice(0, 5)) && g[5] === 0xffff) return dotted(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(g.slice(2, 6))) return dotted(g[6]!, g[7]!);
  return `${g.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}

/** The client network of a request (see clientNetwork), from the address TRUSTED_PROXIES let through. */
export const clientOf = (req: FastifyRequest): string => clientNetwork(req.ip);
