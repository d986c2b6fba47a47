import type { Cache } from '@douyin/cache';

/** What the video service keeps in Redis (authors' video counts, the newest videos) and forgets after a publish. */
export type VideoCache = Pick<Cache, 'many' | 'invalidate'>;

/** One cache entry, as `invalidate` takes it. */
export type VideoCacheEntry = readonly [space: string, id: string | number];
