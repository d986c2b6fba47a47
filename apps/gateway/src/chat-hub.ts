import { INBOX_LIMIT, INBOX_RECENT_MS, type Message, type MessageRouter } from '@douyin/contracts';
import type { MeshClient } from '@douyin/mesh';
import type { ServiceMetrics } from '@douyin/metrics';
import { outsideRequests, type Logger } from '@douyin/telemetry';

/** Someone listening for the messages one user sends or receives (one per open push connection). */
export interface ChatListener {
  /**
   * `resumeFrom` is a `since` from which a new connection misses nothing this one has yet to deliver: messages arrive
   * out of create_time order (one sent through this gateway at once, an older one committed elsewhere at the next
   * poll), so resuming from the last one's create time could skip one still on its way. It is the start of the
   * connection's window instead, and a connection resumed from it may deliver again what this one did within it.
   */
  deliver(message: Message, resumeFrom: number): void;
  /**
   * End the connection: the hub is closing; the user opened more than connectionsPerUser and this is the oldest; or it
   * is lagging, what it holds to skip repeats past seenLimit (its client reconnects from its last `resumeFrom`).
   */
  end(why: 'closing' | 'replaced' | 'lagging'): void;
}

export interface ChatHubOptions {
  message: Pick<MeshClient<MessageRouter>, 'inbox'>;
  logger: Logger;
  /** Where connections, deliveries and replacements are counted (the polls are message.inbox's client metrics). */
  metrics?: Pick<ServiceMetrics, 'pushConnections' | 'pushDelivered' | 'pushReplaced'>;
  intervalMs?: number;
  /**
   * How far back the full polls look (once every fullEveryMs), so a message whose create time was assigned long
   * before it committed is still seen.
   */
  windowMs?: number;
  /** How often a tick reads the whole window; the ticks in between read from shortly before the previous read. */
  fullEveryMs?: number;
  /**
   * How far back before the previous poll's read the polls in between look: they find the messages committed since
   * then, and those committed up to this much after their create time, without re-reading the whole window.
   */
  recentMs?: number;
  /**
   * Connections one user may hold open on this hub. Opening one more ends the oldest rather than refusing the new
   * one: a client whose network changed reconnects before the server notices the old socket is dead.
   */
  connectionsPerUser?: number;
  /**
   * Message ids one connection may hold to skip repeats. Its window slides, forgetting them, only on a successful read
   * of the whole window: while its polls fail, every message published to it through this gateway stays. Past this
   * many the connection is ended rather than left to grow.
   */
  seenLimit?: number;
}

/** One connection's hold on the hub. */
export interface ChatSubscription {
  /** Where a connection opened now would resume this one (see ChatListener.deliver); it moves on as the window slides. */
  resumeFrom(): number;
  unsubscribe(): void;
}

export interface ChatHub {
  /** Delivers every message the user sends or receives with createTime > after, each once. */
  subscribe(userId: number, after: number, listener: ChatListener): ChatSubscription;
  /**
   * A message just stored through this gateway: delivered now to its sender's and recipient's connections here,
   * instead of at the next poll (which then skips it). Messages stored elsewhere still arrive by polling.
   */
  publish(message: Message): void;
  /**
   * The message service's clock, where `since` is read: as the hub last heard it, or asked of the service when it has
   * heard nothing yet (a gateway just started); this host's only while the service cannot be asked.
   */
  now(): Promise<number>;
  close(): void;
}

interface Subscription {
  userId: number;
  after: number;
  /**
   * Service time up to which every message committed by the time of the read has been read for this connection,
   * without a gap since `after`; undefined until its first read.
   */
  readTo?: number;
  /** ids delivered with createTime > after, by createTime, to skip the overlap of successive windows */
  seen: Map<number, number>;
  listener: ChatListener;
}

/** One page of a poll's answer, as it applies to the subscriptions the poll was for. */
interface Read {
  /** Every message committed when the page was read is in it up to here (the service's clock then, or the page's end). */
  readTo: number;
  /** How far a subscription whose whole window the poll re-read may slide its `after`. */
  slideTo: number;
  sliding: ReadonlySet<Subscription>;
}

const BATCH = 500; // the contract's IdBatch limit
/** Full answers one poll follows with the next page in the same tick; past them the rest waits for the next tick. */
const PAGES_PER_POLL = 4;

interface Poll<S> {
  subs: S[];
  since: number;
}

/**
 * The inbox calls of one tick: at most BATCH users each, asking from the earliest `since` among them. Subscriptions
 * caught up (since within INBOX_RECENT_MS) are asked apart from those further behind, so that a connection opened
 * with an old `since` costs its own per-user read instead of turning every caught-up user's poll into one; it joins
 * them once a poll has brought it up to date.
 */
export function pollsFor<S extends { userId: number; since: number }>(subscriptions: readonly S[], now: number): Array<Poll<S>> {
  const recent = (s: S) => s.since >= now - INBOX_RECENT_MS;
  return [subscriptions.filter(recent), subscriptions.filter((s) => !recent(s))].flatMap((group) => {
    const byUser = new Map<number, S[]>();
    for (const sub of group) append(byUser, sub.userId, sub);
    const users = [...byUser.keys()];
    return Array.from({ length: Math.ceil(users.length / BATCH) }, (_, i) => {
      const subs = users.slice(i * BATCH, (i + 1) * BATCH).flatMap((user) => byUser.get(user)!);
      return { subs, since: Math.min(...subs.map((s) => s.since)) };
    });
  });
}

function append<K, V>(lists: Map<K, V[]>, key: K, value: V): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}

/**
 * One poll loop per gateway for all push connections: each tick asks the message service (once per 500 users, see
 * pollsFor) for what the subscribed users sent or received in a sliding window, and fans it out. Polling the
 * database keeps it correct with any number of message and gateway instances; the window plus per-listener
 * de-duplication makes late commits visible without repeats, and lets messages sent through this gateway be handed
 * over at once (publish) without the poll repeating them. Only one tick a second reads the whole window: the ticks
 * in between read from shortly before the previous read, so each message is read about half as often.
 */
export function createChatHub(options: ChatHubOptions): ChatHub {
  const { message, logger, metrics, intervalMs = 250, windowMs = 5_000, fullEveryMs = 1_000, recentMs = 1_000, connectionsPerUser = 5, seenLimit = 10_000 } =
    options;
  const subscriptions = new Set<Subscription>();
  /** Each user's subscriptions, oldest first. */
  const ofUser = new Map<number, Subscription[]>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let lastFullTick = -Infinity;
  /**
   * The message service's clock as its last answer told it, and when on the monotonic clock: the connections' `since`
   * are its times (their windows slide by its `now`), so which of them are caught up is judged by it, not by this
   * host's clock, which may be off.
   */
  let serviceClock: { now: number; at: number } | undefined;
  // Whole milliseconds, as create times and every `since` are: a connection opened at a fractional one would have its
  // every poll refused as malformed, and its reconnect cursor too.
  const serviceNow = () => (serviceClock ? Math.floor(serviceClock.now + (performance.now() - serviceClock.at)) : Date.now());

  // The loop belongs to no request: started from the first connection's, its polls would carry that request's
  // deadline (every poll failing once it passed) and join its trace.
  const schedule = () => {
    if (timer === undefined && !closed && subscriptions.size > 0) timer = outsideRequests(() => setTimeout(() => void tick(), intervalMs));
  };

  async function tick(): Promise<void> {
    const now = serviceNow();
    // The full reads' rhythm is kept on the monotonic clock: a wall clock stepped back would hold them off that long.
    const tickAt = performance.now();
    const full = tickAt - lastFullTick >= fullEveryMs;
    if (full) lastFullTick = tickAt;
    // A connection not read yet is asked from its own start whatever the tick, and one whose last reads failed from
    // before where its last read ended: never a gap, nor a newer message handed over before an older one unread.
    const sinceFor = (sub: Subscription) => (full || sub.readTo === undefined ? sub.after : Math.max(sub.after, sub.readTo - recentMs));
    const asked = [...subscriptions].map((sub) => ({ sub, userId: sub.userId, since: sinceFor(sub) }));
    // Settled, not raced: the next tick starts only once every poll of this one has fanned out or failed.
    const results = await Promise.allSettled(pollsFor(asked, now).map(({ subs, since }) => poll(subs.map((s) => s.sub), since)));
    for (const result of results) if (result.status === 'rejected') logger.warn({ err: result.reason }, 'chat push poll failed; retrying');
    timer = undefined;
    schedule();
  }

  async function poll(subs: readonly Subscription[], since: number): Promise<void> {
    const userIds = [...new Set(subs.map((s) => s.userId))];
    // Only a read from a connection's `after` on has looked at its whole window again: only such a read slides it.
    const sliding = new Set(subs.filter((sub) => since <= sub.after));
    for (let page = 1; ; page++) {
      const { messages, now } = await message.inbox.query({ userIds, since });
      serviceClock = { now, at: performance.now() };
      // A full answer may have left later messages out: never slide past the last one it returned, and ask for the
      // next page at once rather than a tick later (the users' messages arrive faster than a page a tick). The service
      // completes a full answer's last millisecond, so the next page starts after it.
      const last = messages.length >= INBOX_LIMIT ? messages.at(-1)!.createTime : undefined;
      const readTo = last ?? now;
      fanOutAnswer(subs, messages, { readTo, slideTo: Math.min(now - windowMs, readTo), sliding });
      if (last === undefined || page >= PAGES_PER_POLL) return;
      // Connections ended meanwhile take nothing more: no page for nobody.
      if (!subs.some((sub) => subscriptions.has(sub))) return;
      since = last;
    }
  }

  function fanOutAnswer(subs: readonly Subscription[], messages: readonly Message[], read: Read) {
    // Each subscription walks its own user's messages, not the whole answer: a tick costs the messages plus the
    // connections, not their product.
    const byUser = new Map<number, Message[]>();
    for (const m of messages) {
      append(byUser, m.fromId, m);
      if (m.toId !== m.fromId) append(byUser, m.toId, m);
    }
    // A connection ended while the call was out (closed, replaced) gets nothing more: its response has ended.
    for (const sub of subs) if (subscriptions.has(sub)) fanOut(sub, byUser.get(sub.userId) ?? [], read);
  }

  /** Delivers the user's messages `sub` has not seen, oldest first, then slides its window if the read covered it. */
  function fanOut(sub: Subscription, own: readonly Message[], { readTo, slideTo, sliding }: Read) {
    for (const m of own) deliverOnce(sub, m);
    sub.readTo = readTo;
    if (!sliding.has(sub) || slideTo <= sub.after) return;
    sub.after = slideTo;
    for (const [id, createTime] of sub.seen) if (createTime <= sub.after) sub.seen.delete(id);
  }

  function deliverOnce(sub: Subscription, m: Message) {
    if (m.createTime <= sub.after || sub.seen.has(m.id) || !subscriptions.has(sub)) return;
    sub.seen.set(m.id, m.createTime);
    sub.listener.deliver(m, sub.after);
    metrics?.pushDelivered.inc();
    if (sub.seen.size <= seenLimit) return;
    logger.warn({ userId: sub.userId, seen: sub.seen.size }, 'chat push connection ended: its reads kept failing while messages reached it');
    unsubscribe(sub);
    sub.listener.end('lagging');
  }

  function unsubscribe(sub: Subscription) {
    subscriptions.delete(sub);
    metrics?.pushConnections.set(subscriptions.size);
    const rest = (ofUser.get(sub.userId) ?? []).filter((s) => s !== sub);
    if (rest.length > 0) ofUser.set(sub.userId, rest);
    else ofUser.delete(sub.userId);
  }

  return {
    subscribe(userId, after, listener) {
      // A push request still checking its token when the hub closed: its connection must end like the others.
      if (closed) {
        listener.end('closing');
        return { resumeFrom: () => after, unsubscribe: () => undefined };
      }
      const sub: Subscription = { userId, after, seen: new Map(), listener };
      const mine = ofUser.get(userId) ?? [];
      for (const oldest of mine.splice(0, Math.max(0, mine.length + 1 - connectionsPerUser))) {
        subscriptions.delete(oldest);
        oldest.listener.end('replaced');
        metrics?.pushReplaced.inc();
      }
      ofUser.set(userId, [...mine, sub]);
      subscriptions.add(sub);
      metrics?.pushConnections.set(subscriptions.size);
      schedule();
      return { resumeFrom: () => sub.after, unsubscribe: () => unsubscribe(sub) };
    },
    publish(m) {
      for (const userId of new Set([m.fromId, m.toId])) for (const sub of ofUser.get(userId) ?? []) deliverOnce(sub, m);
    },
    async now() {
      if (!serviceClock) {
        // No users: the service reads nothing, and answers its clock.
        const answer = await message.inbox.query({ userIds: [], since: 0 }).catch((err: unknown) => {
          logger.warn({ err }, "chat push: the message service's clock could not be read; this host's stands in");
          return undefined;
        });
        if (answer) serviceClock ??= { now: answer.now, at: performance.now() };
      }
      return serviceNow();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const sub of subscriptions) sub.listener.end('closing');
      subscriptions.clear();
      ofUser.clear();
      metrics?.pushConnections.set(0);
    },
  };
}
