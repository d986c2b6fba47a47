import type { Generated } from 'kysely';

export interface VideosTable {
  id: Generated<number>;
  author_id: number;
  title: string;
  video_key: string;
  cover_key: string;
  /** epoch ms, unique: the database assigns max(now, last + 1) */
  published_at: number;
}

/** The objects a publish is storing before its row exists: left behind, they are a killed or failed publish's. */
export interface PublishIntentsTable {
  id: Generated<number>;
  video_key: string;
  cover_key: string;
  /** epoch ms */
  created_at: number;
}

export interface VideoTables {
  videos: VideosTable;
  publish_intents: PublishIntentsTable;
}
