import { z } from 'zod';
import { CacheEnv, DbEnv, serviceEnv, toCacheConfig, toDbConfig, toServiceConfig } from '@douyin/config';

export const CommentEnv = z
  .object({ ...serviceEnv('comment').shape, ...DbEnv.shape, ...CacheEnv.shape })
  .transform((e) => ({ service: toServiceConfig('comment', e), db: toDbConfig('comment', e), cache: toCacheConfig(e) }));
export type CommentConfig = z.output<typeof CommentEnv>;
