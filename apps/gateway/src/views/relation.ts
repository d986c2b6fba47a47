import type { RelationRouter } from '@douyin/contracts';
import type { MeshClient } from '@douyin/mesh';
import type { UserExtras } from '../apk.js';
import type { UserFactsSource, UserMarksSource } from './users.js';

/** follow_count and follower_count for a whole page, in one call to the relation service. */
export const relationCounts = (relation: Pick<MeshClient<RelationRouter>, 'facts'>): UserFactsSource => ({
  name: 'relation',
  async load(userIds) {
    const facts = await relation.facts.query({ userIds: [...userIds] });
    return new Map<number, Partial<UserExtras>>(facts.map((f) => [f.userId, { followCount: f.followCount, followerCount: f.followerCount }]));
  },
});

/** is_follow: which of their pages' users viewers follow, for many viewers in one call to the relation service. */
export const followMarks = (relation: Pick<MeshClient<RelationRouter>, 'followedAmong'>): UserMarksSource => ({
  name: 'relation',
  mark: { isFollow: true },
  // The relation service refuses a follow of oneself.
  neverSelf: true,
  load: (questions) => relation.followedAmong.query({ users: [...questions] }),
});
