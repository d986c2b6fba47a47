import type { Cache } from '@douyin/cache';

/** What the video service keeps in Redis (authors' video counts, the newest videos) and forgets after a publish. */
export type VideoCache = Pick<Cache, 'many' | 'invalidate'>;
