import type { CommentRouter } from '@douyin/contracts';
import type { MeshClient } from '@douyin/mesh';
import type { VideoExtras } from '../apk.js';
import type { VideoFactsSource } from './videos.js';

/** comment_count for a whole page of videos, in one call to the comment service. */
export const commentCountFacts = (comment: Pick<MeshClient<CommentRouter>, 'counts'>): VideoFactsSource => ({
  name: 'comment',
  async load(videoIds) {
    const counts = await comment.counts.query({ videoIds: [...videoIds] });
    return new Map<number, Partial<VideoExtras>>(counts.map((c) => [c.videoId, { commentCount: c.commentCount }]));
  },
});
