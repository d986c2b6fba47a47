import type { VideoRouter } from '@douyin/contracts';
import type { MeshClient } from '@douyin/mesh';
import type { UserExtras } from '../apk.js';
import type { UserFactsSource } from './users.js';

/** work_count for a whole page, in one call to the video service. */
export const workCountFacts = (video: Pick<MeshClient<VideoRouter>, 'workCounts'>): UserFactsSource => ({
  name: 'video',
  async load(userIds) {
    const counts = await video.workCounts.query({ userIds: [...userIds] });
    return new Map<number, Partial<UserExtras>>(counts.map((c) => [c.userId, { workCount: c.count }]));
  },
});
