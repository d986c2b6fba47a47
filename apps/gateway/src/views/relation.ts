import type { RelationRouter } from '@douyin/contracts';
import type { MeshClient } from '@douyin/mesh';
import type { UserExtras } from '../apk.js';
import type { UserFactsSource } from './users.js';

/** follow_count, follower_count and is_follow for a whole page, in one call to the relation service. */
export const relationFacts = (relation: Pick<MeshClient<RelationRouter>, 'facts'>): UserFactsSource => ({
  name: 'relation',
  async load(userIds, viewerId) {
    const facts = await relation.facts.query({ userIds: [...userIds], viewerId });
    return new Map<number, Partial<UserExtras>>(
      facts.map((f) => [f.userId, { followCount: f.followCount, followerCount: f.followerCount, isFollow: f.isFollow }]),
    );
  },
});
