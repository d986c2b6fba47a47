import { readFile } from 'node:fs/promises';
import { TICKS_PER_SECOND } from './process-cpu.js';

/** Which end of a loopback connection to look at: the one bound to `localPort`, or the one dialing `remotePort`. */
export type TcpEnd = { localPort: number } | { remotePort: number };

/** A socket's running kernel timer: 'keepalive', 'retransmit', 'none' or another; and in how many seconds it fires. */
export interface TcpTimer {
  kind: string;
  inSeconds: number;
}

const KINDS: Record<string, string> = { '00': 'none', '01': 'retransmit', '02': 'keepalive' };

/**
 * The kernel timer of each established IPv4 TCP socket at `end`, from /proc/net/tcp (Linux only). An idle socket
 * without keepalive runs none and never notices a peer that vanished without closing; with the kernel's default
 * keepalive it would, two hours later.
 */
export async function tcpTimers(end: TcpEnd): Promise<TcpTimer[]> {
  const [column, port] = 'localPort' in end ? [1, end.localPort] : [2, end.remotePort];
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const rows = (await readFile('/proc/net/tcp', 'utf8')).split('\n').slice(1).map((line) => line.trim().split(/\s+/));
  return rows
    .filter((r) => r[3] === '01' && r[column]?.endsWith(suffix))
    .map((r) => {
      const [kind = '', when = '0'] = (r[5] ?? '').split(':');
      return { kind: KINDS[kind] ?? kind, inSeconds: parseInt(when, 16) / TICKS_PER_SECOND };
    });
}
