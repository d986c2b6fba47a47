import { z } from 'zod';
import { CacheEnv, DbEnv, serviceEnv, toCacheConfig, toDbConfig, toServiceConfig } from '@douyin/config';

export const FavoriteEnv = z
  .object({ ...serviceEnv('favorite').shape, ...DbEnv.shape, ...CacheEnv.shape })
  .transform((e) => ({ service: toServiceConfig('favorite', e), db: toDbConfig('favorite', e), cache: toCacheConfig(e) }));
export type FavoriteConfig = z.output<typeof FavoriteEnv>;
