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

export interface VideoTables {
  videos: VideosTable;
}
