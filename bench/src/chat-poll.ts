import { INBOX_RECENT_MS } from '@douyin/contracts';
import { median } from './median.js';
import { directMessageClient } from './message-client.js';

/** A gateway's chat hub asks at most this many users a call (the contract's IdBatch). */
export const POLL_USERS = 500;

export interface ChatPollFigures {
  users: number;
  /** ms per call, the median of the rounds: from 5 s back (the hub's window), read by time. */
  byTimeMs: number;
  /** ms per call from twice INBOX_RECENT_MS back, read by each user's indexes (a connection far behind). */
  byUserMs: number;
  /** The most messages one answer held: 0 when the users had nothing new, as the figure assumes. */
  messages: number;
}

/**
 * The push channel's poll against a seeded database: the message service's inbox for POLL_USERS users spread over
 * the seed when none of them has anything new, which is what each gateway asks four times a second whatever its
 * connections' traffic. Both reads are asked of the same service, one after the other in each round of sequential
 * calls.
 */
export async function measureChatPoll(messageUrl: string, seededUsers: number, rounds: number, callsPerRound: number): Promise<ChatPollFigures> {
  const { message, close } = directMessageClient(messageUrl);
  const users = Math.min(POLL_USERS, seededUsers);
  const userIds = Array.from({ length: users }, (_, i) => 1 + Math.floor((i * seededUsers) / users));
  let messages = 0;
  const perCall = async (back: number) => {
    const started = performance.now();
    for (let i = 0; i < callsPerRound; i++) {
      const answer = await message.inbox.query({ userIds, since: Date.now() - back });
      messages = Math.max(messages, answer.messages.length);
    }
    return (performance.now() - started) / callsPerRound;
  };
  try {
    const reads = { byTime: [] as number[], byUser: [] as number[] };
    for (let round = 0; round <= rounds; round++) {
      // Round 0 warms both reads (JIT, connections, the indexes' pages) and is not counted.
      const byTime = await perCall(5_000);
      const byUser = await perCall(2 * INBOX_RECENT_MS);
      if (round === 0) continue;
      reads.byTime.push(byTime);
      reads.byUser.push(byUser);
    }
    return { users, byTimeMs: median(reads.byTime), byUserMs: median(reads.byUser), messages };
  } finally {
    await close();
  }
}
