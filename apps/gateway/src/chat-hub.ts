import { INBOX_LIMIT, type Message, type MessageRouter } from '@douyin/contracts';
import type { MeshClient } from '@douyin/mesh';
import type { Logger } from '@douyin/telemetry';

/** Someone listening for the messages one user sends or receives (one per open push connection). */
export interface ChatListener {
  deliver(message: Message): void;
  /** The hub is closing: end the connection. */
  end(): void;
}

export interface ChatHubOptions {
  message: Pick<MeshClient<MessageRouter>, 'inbox'>;
  logger: Logger;
  intervalMs?: number;
  /** How far back each poll looks, so a message whose create time was assigned before it committed is still seen. */
  windowMs?: number;
}

export interface ChatHub {
  /** Delivers every message the user sends or receives with createTime > after, each once; returns the unsubscribe. */
  subscribe(userId: number, after: number, listener: ChatListener): () => void;
  close(): void;
}

interface Subscription {
  userId: number;
  after: number;
  /** ids delivered with createTime > after, by createTime, to skip the overlap of successive windows */
  seen: Map<number, number>;
  listener: ChatListener;
}

const BATCH = 500; // the contract's IdBatch limit

/**
 * One poll loop per gateway for all push connections: each tick asks the message service once (per 500 users) for
 * what the subscribed users sent or received in a sliding window, and fans it out. Polling the database keeps it
 * correct with any number of message and gateway instances; the window plus per-listener de-duplication makes
 * late commits visible without repeats.
 */
export function createChatHub({ message, logger, intervalMs = 250, windowMs = 5_000 }: ChatHubOptions): ChatHub {
  const subscriptions = new Set<Subscription>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = () => {
    if (timer === undefined && !closed && subscriptions.size > 0) timer = setTimeout(() => void tick(), intervalMs);
  };

  async function tick(): Promise<void> {
    const current = [...subscriptions];
    try {
      if (current.length === 0) return;
      const since = Math.min(...current.map((s) => s.after));
      const userIds = [...new Set(current.map((s) => s.userId))];
      const batches = Array.from({ length: Math.ceil(userIds.length / BATCH) }, (_, i) => userIds.slice(i * BATCH, (i + 1) * BATCH));
      const answers = await Promise.all(batches.map((batch) => message.inbox.query({ userIds: batch, since })));
      answers.forEach(({ messages, now }, i) => {
        const users = new Set(batches[i]);
        for (const sub of current) if (users.has(sub.userId)) fanOut(sub, messages, now);
      });
    } catch (err) {
      logger.warn({ err }, 'chat push poll failed; retrying');
    } finally {
      timer = undefined;
      schedule();
    }
  }

  function fanOut(sub: Subscription, messages: readonly Message[], now: number) {
    for (const m of messages) {
      if ((m.toId !== sub.userId && m.fromId !== sub.userId) || m.createTime <= sub.after || sub.seen.has(m.id)) continue;
      sub.seen.set(m.id, m.createTime);
      sub.listener.deliver(m);
    }
    // A full answer may have left messages out: never slide past the last one it returned.
    const full = messages.length >= INBOX_LIMIT ? (messages.at(-1)?.createTime ?? now) - 1 : Infinity;
    sub.after = Math.max(sub.after, Math.min(now - windowMs, full));
    for (const [id, createTime] of sub.seen) if (createTime <= sub.after) sub.seen.delete(id);
  }

  return {
    subscribe(userId, after, listener) {
      const sub: Subscription = { userId, after, seen: new Map(), listener };
      subscriptions.add(sub);
      schedule();
      return () => void subscriptions.delete(sub);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const sub of subscriptions) sub.listener.end();
      subscriptions.clear();
    },
  };
}
