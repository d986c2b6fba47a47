import type { Generated } from 'kysely';

/** One row per pair of users who ever exchanged a message; (user_low, user_high) with user_low < user_high. */
export interface ConversationsTable {
  user_low: number;
  user_high: number;
  /** createTime of the latest message (epoch ms); the per-conversation clock that keeps create times unique. */
  last_time: number;
  /** id of the latest message, 0 while the first one is being written */
  last_message_id: number;
}

export interface MessagesTable {
  id: Generated<number>;
  user_low: number;
  user_high: number;
  from_id: number;
  to_id: number;
  content: string;
  /** epoch ms, unique and strictly increasing within a conversation */
  create_time: number;
}

export interface MessageTables {
  conversations: ConversationsTable;
  messages: MessagesTable;
}
