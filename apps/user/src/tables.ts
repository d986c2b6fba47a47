import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  signature: string;
  /** epoch ms */
  created_at: number;
}

export interface UserTables {
  users: UsersTable;
}
