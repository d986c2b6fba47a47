import type { Generated } from 'kysely';

export interface FavoritesTable {
  id: Generated<number>;
  user_id: number;
  video_id: number;
  author_id: number;
  /** epoch ms */
  created_at: number;
}

export interface VideoFavoriteCountsTable {
  video_id: number;
  favorite_count: number;
}

export interface UserFavoriteCountsTable {
  user_id: number;
  favorite_count: number;
  total_favorited: number;
}

export interface FavoriteTables {
  favorites: FavoritesTable;
  video_favorite_counts: VideoFavoriteCountsTable;
  user_favorite_counts: UserFavoriteCountsTable;
}
