import { z } from 'zod';
import { Id, IdBatch } from './ids.js';
import { ListLimit } from './lists.js';
import { codePointLength, hasControlChars, isBlank, isWellFormedText } from './text-rules.js';
import { procedure, router } from './trpc.js';

/** Message text: 1–1000 code points, not blank, no C0 control characters except \n \r \t (contract §6.5). */
export const MESSAGE_CONTENT = { min: 1, max: 1000 } as const;

export const MessageContent = z
  .string()
  .refine((s) => codePointLength(s) >= MESSAGE_CONTENT.min && codePointLength(s) <= MESSAGE_CONTENT.max, {
    message: `content must be ${MESSAGE_CONTENT.min}-${MESSAGE_CONTENT.max} characters`,
  })
  .refine((s) => !hasControlChars(s), { message: 'content must not contain control characters' })
  .refine(isWellFormedText, { message: 'content must be well-formed Unicode text' })
  .refine((s) => !isBlank(s), { message: 'content must not be blank' });

/**
 * The messages one `inbox` answer holds before it completes its last millisecond (it holds that many and the rest of
 * that millisecond's); a full answer may have left later ones out.
 */
export const INBOX_LIMIT = 1000;

/**
 * An `inbox` whose `since` lies at most this far before the service's clock reads the messages of that window,
 * whatever the number of users asked; one further back reads each user's messages. Callers that poll group their
 * users so that one reader far behind does not turn everyone's poll into the second kind.
 */
export const INBOX_RECENT_MS = 60_000;

/** Epoch ms; 0 means "from the beginning". */
const EpochMs = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const SendInput = z.object({ fromId: Id, toId: Id, content: MessageContent });
export type SendInput = z.infer<typeof SendInput>;

export const ConversationInput = z.object({ viewerId: Id, peerId: Id, after: EpochMs.optional(), limit: ListLimit });
export type ConversationInput = z.infer<typeof ConversationInput>;

export const LatestInput = z.object({ userId: Id, peerIds: IdBatch });
export type LatestInput = z.infer<typeof LatestInput>;

export const InboxInput = z.object({ userIds: IdBatch, since: EpochMs });
export type InboxInput = z.infer<typeof InboxInput>;

export interface Message {
  id: number;
  fromId: number;
  toId: number;
  content: string;
  /** epoch ms, unique and strictly increasing within a conversation */
  createTime: number;
}

export interface MessageHandlers {
  /** Stores exactly one message. NOT_FOUND/user_not_found for an unknown recipient; BAD_REQUEST/self_action for oneself. */
  send(input: SendInput): Promise<Message>;
  /**
   * Oldest first. Without `after` (or 0): the conversation's newest `limit` messages, both directions. With
   * `after` > 0: the first `limit` messages the peer sent the viewer with createTime > after, so a poller that passes
   * the largest createTime it saw never gets a message twice nor misses one. NOT_FOUND/user_not_found for an unknown
   * peer.
   */
  conversation(input: ConversationInput): Promise<Message[]>;
  /** The latest message of each conversation between `userId` and the peers that has one, in one call. */
  latest(input: LatestInput): Promise<Array<{ peerId: number; message: Message }>>;
  /**
   * Messages sent or received by any of `userIds` with createTime > since, oldest first (INBOX_LIMIT of them and the
   * rest of the last one's millisecond, so the next page may start after it), and the service's clock, so a pusher
   * can keep its window on the clock that assigns createTime.
   */
  inbox(input: InboxInput): Promise<{ messages: Message[]; now: number }>;
}

export const messageRouter = (h: MessageHandlers) =>
  router({
    send: procedure.input(SendInput).mutation(({ input }) => h.send(input)),
    conversation: procedure.input(ConversationInput).query(({ input }) => h.conversation(input)),
    latest: procedure.input(LatestInput).query(({ input }) => h.latest(input)),
    inbox: procedure.input(InboxInput).query(({ input }) => h.inbox(input)),
  });
export type MessageRouter = ReturnType<typeof messageRouter>;
