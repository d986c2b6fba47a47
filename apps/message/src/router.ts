import type { Kysely } from 'kysely';
import { INBOX_LIMIT, INBOX_RECENT_MS, Reason, domainError, messageRouter, requireUsers, type Message, type MessageHandlers, type UserLookup } from '@douyin/contracts';
import { ensureTimeToWrite } from '@douyin/mesh';
import * as repo from './repository.js';
import type { MessageTables } from './tables.js';

export interface MessageDeps {
  db: Kysely<MessageTables>;
  /** The user service's contract: existence of ids is its business, never a read of its table. */
  user: UserLookup;
  now?: () => number;
}

const toMessage = (row: repo.MessageRow): Message => ({
  id: row.id,
  fromId: row.from_id,
  toId: row.to_id,
  content: row.content,
  createTime: row.create_time,
});

export function createRouter({ db, user, now = Date.now }: MessageDeps) {
  const handlers: MessageHandlers = {
    async send({ fromId, toId, content }) {
      // Contract check order: an unknown recipient (40401) is reported before messaging oneself (40007). The sender is
      // asked in the same call, as relation's follow asks for its actor.
      await requireUsers(user, [fromId, toId]);
      if (fromId === toId) throw domainError('BAD_REQUEST', Reason.selfAction, 'cannot message yourself');
      ensureTimeToWrite();
      return toMessage(await repo.sendMessage(db, { from_id: fromId, to_id: toId, content }, now));
    },

    async conversation({ viewerId, peerId, after, limit }) {
      await requireUsers(user, [peerId]);
      // §6.6: a first load (no or zero pre_msg_time) is the conversation (its newest messages); a poll only returns
      // what the peer sent since, because the APK already shows its own messages once message/action succeeded, and
      // from the oldest on, so that the next poll, from the last one it got, misses nothing.
      const rows = after
        ? await repo.listSentAfter(db, peerId, viewerId, after, limit)
        : await repo.listConversation(db, repo.pairOf(viewerId, peerId), limit);
      return rows.map(toMessage);
    },

    async latest({ userId, peerIds }) {
      const rows = await repo.listLatest(db, userId, [...new Set(peerIds)]);
      return rows.map((row) => ({ peerId: row.from_id === userId ? row.to_id : row.from_id, message: toMessage(row) }));
    },

    async inbox({ userIds, since }) {
      // The clock is read before the query: anything committed later has a create time of at least about now.
      const at = now();
      const plan = since >= at - INBOX_RECENT_MS ? 'by-time' : 'by-user';
      const rows = await repo.listInvolving(db, [...new Set(userIds)], since, INBOX_LIMIT, plan);
      return { messages: rows.map(toMessage), now: at };
    },
  };
  return messageRouter(handlers);
}
