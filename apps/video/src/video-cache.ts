import type { Cache } from '@douyin/cache';

/**
 * What the video service keeps in Redis: videos by id, and what it forgets after a publish (authors' video counts, the
 * newest videos).
 */
export type VideoCache = Pick<Cache, 'many' | 'invalidate'>;
