import type { FavoriteRouter } from '@douyin/contracts';
import type { MeshClient } from '@douyin/mesh';
import type { UserExtras, VideoExtras } from '../apk.js';
import type { UserFactsSource } from './users.js';
import type { VideoFactsSource, VideoMarksSource } from './videos.js';

/** favorite_count for a whole page of videos, in one call to the favorite service. */
export const favoriteVideoCounts = (favorite: Pick<MeshClient<FavoriteRouter>, 'videoFacts'>): VideoFactsSource => ({
  name: 'favorite',
  async load(videoIds) {
    const facts = await favorite.videoFacts.query({ videoIds: [...videoIds] });
    return new Map<number, Partial<VideoExtras>>(facts.map((f) => [f.videoId, { favoriteCount: f.favoriteCount }]));
  },
});

/** is_favorite: which of their pages' videos viewers like, for many viewers in one call to the favorite service. */
export const likeMarks = (favorite: Pick<MeshClient<FavoriteRouter>, 'likedAmong'>): VideoMarksSource => ({
  name: 'favorite',
  mark: { isFavorite: true },
  load: (questions) => favorite.likedAmong.query({ users: [...questions] }),
});

/** favorite_count and total_favorited for a whole page of users, in one call to the favorite service. */
export const favoriteUserFacts = (favorite: Pick<MeshClient<FavoriteRouter>, 'userFacts'>): UserFactsSource => ({
  name: 'favorite',
  async load(userIds) {
    const facts = await favorite.userFacts.query({ userIds: [...userIds] });
    return new Map<number, Partial<UserExtras>>(
      facts.map((f) => [f.userId, { favoriteCount: f.favoriteCount, totalFavorited: f.totalFavorited }]),
    );
  },
});
