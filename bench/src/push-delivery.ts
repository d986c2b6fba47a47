import { get, type ClientRequest } from 'node:http';
import { sseParser } from '@douyin/testing';
import type { RunningMesh } from './mesh.js';
import { directMessageClient } from './message-client.js';
import { cpuDuring } from './process-cpu.js';

export interface DeliveryLatency {
  /** ms from the send to its arrival on the recipient's connection */
  p50: number;
  p99: number;
  max: number;
}

export interface PushDeliveryFigures {
  connections: number;
  /** Messages sent along each path. */
  messages: number;
  /** Sent through the gateway that holds the connections (message/action): handed over at once. */
  atOnce: DeliveryLatency;
  /** Stored by the message service directly, as through another gateway: found by this gateway's poll. */
  polled: DeliveryLatency;
  /** Deliveries owed to the sender's and the recipient's connections that never came, and that came twice. */
  missing: number;
  duplicates: number;
  /** Sends that were refused or failed (none owes a delivery), and the first one's error. */
  failedSends: number;
  firstFailure?: string;
  /** CPU the gateway and the message service spent while the connections stayed open with nothing sent (% of a core). */
  idleCpuPercent: { gateway: number; message: number };
}

export interface PushDeliveryOptions {
  connections: number;
  messagesPerSecond: number;
  seconds: number;
}

/** How long after the last send stragglers are waited for: many polls (250 ms apart) and their inbox calls. */
const SETTLE_MS = 3_000;
const CONNECT_BATCH = 100;
const IDLE_MS = 5_000;
/** Sends along each path before the measured ones, at the measured rate. */
const WARM_UP_SECONDS = 2;

/** % of one core each process spent over `ms` of idling. */
async function idleCpu(pids: { gateway: number; message: number }, ms: number): Promise<{ gateway: number; message: number }> {
  const { seconds } = await cpuDuring([pids.gateway, pids.message], () => new Promise((resolve) => setTimeout(resolve, ms)));
  const percent = (s: number) => (s * 100 * 1000) / ms;
  return { gateway: percent(seconds[0]!), message: percent(seconds[1]!) };
}

/** Through the connections' gateway, or straight to the message service as another gateway would. */
type Path = 'gateway' | 'service';

interface Sent {
  path: Path;
  /** performance.now() when the send began */
  at: number;
  from: number;
  to: number;
}

interface Connection {
  request: ClientRequest;
  /** Arrival times of the messages this connection received, by content; more than one is a duplicate. */
  arrivals: Map<string, number[]>;
}

/**
 * The chat push channel under load: `connections` users each hold a push connection to the mesh's gateway while
 * random pairs of them exchange messages at a steady rate, first through that gateway (delivered at once), then
 * straight to the message service (as a message sent through another gateway: delivered by the gateway's poll).
 * Every message must reach its sender's and its recipient's connections exactly once. Before sending, the
 * connections idle for a few seconds: what holding them costs (the polls) on both sides; then both paths are warmed
 * with sends that are not tallied.
 */
export async function measurePushDelivery(mesh: RunningMesh, seededUsers: number, options: PushDeliveryOptions): Promise<PushDeliveryFigures> {
  const users = Math.min(options.connections, seededUsers);
  const tokens = await Promise.all(Array.from({ length: users }, (_, i) => mesh.token(i + 1)));
  const connections: Connection[] = [];
  const messageApp = mesh.apps.get('message')!;
  const { message, close } = directMessageClient(messageApp.url);
  try {
    for (let first = 0; first < users; first += CONNECT_BATCH) {
      const batch = tokens.slice(first, first + CONNECT_BATCH).map((token) => openPush(mesh.gateway.url, token));
      connections.push(...(await Promise.all(batch)));
    }
    const idleCpuPercent = await idleCpu({ gateway: mesh.gateway.pid, message: messageApp.pid }, IDLE_MS);
    const sent = new Map<string, Sent>();
    const failures: string[] = [];
    const store = async (path: Path, from: number, to: number, content: string) => {
      if (path === 'service') {
        await message.send.mutate({ fromId: from, toId: to, content });
        return;
      }
      const query = new URLSearchParams({ token: tokens[from - 1]!, to_user_id: String(to), action_type: '1', content });
      const answer = (await fetch(`${mesh.gateway.url}/douyin/message/action/?${query}`, { method: 'POST' }).then((r) => r.json())) as { status_code: number; status_msg?: string };
      if (answer.status_code !== 0) throw new Error(`message/action answered ${answer.status_code}: ${answer.status_msg}`);
    };
    const randomPair = () => {
      const from = 1 + Math.floor(Math.random() * users);
      return { from, to: 1 + ((from + Math.floor(Math.random() * (users - 1))) % users) };
    };
    // Not tallied: the first sends after a service idled pay for its JIT and new pool connections (in one run, the
    // first 160 ms of sends took 15-90 ms each against 4 ms after), which would set the measured tail.
    const warm = (path: Path) => async (n: number) => {
      const { from, to } = randomPair();
      await store(path, from, to, `warm-${path}-${n}`).catch(() => undefined);
    };
    const send = (path: Path) => async (n: number) => {
      const { from, to } = randomPair();
      const content = `push-${path}-${n}`;
      sent.set(content, { path, at: performance.now(), from, to });
      try {
        await store(path, from, to, content);
      } catch (err) {
        // Counted, not fatal (as the wrk figures count failed answers): a refused send owes no delivery, and a
        // bench that stopped here would lose every figure measured before it.
        sent.delete(content);
        failures.push((err as Error).message);
      }
    };
    const warmCount = Math.round(options.messagesPerSecond * WARM_UP_SECONDS);
    for (const path of ['gateway', 'service'] as const) await atSteadyRate(warmCount, options.messagesPerSecond, warm(path));
    const count = Math.round(options.messagesPerSecond * options.seconds);
    await atSteadyRate(count, options.messagesPerSecond, send('gateway'));
    await atSteadyRate(count, options.messagesPerSecond, send('service'));
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const { missing, duplicates, latencies } = tally(sent, connections);
    return {
      connections: users,
      messages: count,
      atOnce: percentiles(latencies.gateway),
      polled: percentiles(latencies.service),
      missing,
      duplicates,
      failedSends: failures.length,
      firstFailure: failures[0],
      idleCpuPercent,
    };
  } finally {
    for (const connection of connections) connection.request.destroy();
    await close();
  }
}

/** Deliveries owed (one to each of a message's two users, whose connection is connections[id - 1]) that never came or came twice, and each path's ms to the recipient. */
function tally(sent: ReadonlyMap<string, Sent>, connections: readonly Connection[]) {
  let missing = 0;
  let duplicates = 0;
  const latencies: Record<Path, number[]> = { gateway: [], service: [] };
  for (const [content, { path, at, from, to }] of sent) {
    for (const user of [from, to]) {
      const arrivals = connections[user - 1]!.arrivals.get(content) ?? [];
      if (arrivals.length === 0) missing++;
      duplicates += Math.max(0, arrivals.length - 1);
      if (user === to && arrivals.length > 0) latencies[path].push(arrivals[0]! - at);
    }
  }
  return { missing, duplicates, latencies };
}

/** Opens one push connection and resolves once the gateway has subscribed it (its `: connected` comment). */
function openPush(gatewayUrl: string, token: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const arrivals = new Map<string, number[]>();
    let connected = false;
    const request = get(`${gatewayUrl}/douyin/message/push/?token=${token}`, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`message/push answered HTTP ${res.statusCode}`));
      const push = sseParser(({ event, data }) => {
        if (!connected) {
          connected = true;
          resolve({ request, arrivals });
        }
        if (event !== 'message') return;
        const now = performance.now();
        const { content } = JSON.parse(data) as { content: string };
        const seen = arrivals.get(content);
        if (seen) seen.push(now);
        else arrivals.set(content, [now]);
      });
      res.setEncoding('utf8').on('data', push);
    });
    request.on('error', (err) => (connected ? undefined : reject(err)));
  });
}

/** Starts `count` sends at `perSecond`, evenly spaced whatever each takes, and waits for all of them. */
async function atSteadyRate(count: number, perSecond: number, send: (n: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const running: Array<Promise<void>> = [];
  for (let n = 0; n < count; n++) {
    const due = started + (n * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    running.push(send(n));
  }
  await Promise.all(running);
}

function percentiles(values: number[]): DeliveryLatency {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}
