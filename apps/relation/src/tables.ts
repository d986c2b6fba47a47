import type { Generated } from 'kysely';

export interface FollowsTable {
  /** Increases in creation order, so lists order "most recent first" by id. */
  id: Generated<number>;
  follower_id: number;
  followee_id: number;
  /** epoch ms */
  created_at: number;
}

/** One row per user who ever followed or was followed; kept equal to the follows rows by the same transactions. */
export interface FollowCountsTable {
  user_id: number;
  follow_count: number;
  follower_count: number;
}

export interface RelationTables {
  follows: FollowsTable;
  follow_counts: FollowCountsTable;
}
