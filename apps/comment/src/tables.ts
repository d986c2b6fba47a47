import type { Generated } from 'kysely';

export interface CommentsTable {
  id: Generated<number>;
  video_id: number;
  user_id: number;
  content: string;
  /** epoch ms */
  created_at: number;
}

export interface VideoCommentCountsTable {
  video_id: number;
  comment_count: number;
}

export interface CommentTables {
  comments: CommentsTable;
  video_comment_counts: VideoCommentCountsTable;
}
