import { z } from 'zod';
import { CacheEnv, DbEnv, RpcServerEnv, serviceEnv, toCacheConfig, toDbConfig, toProcedureLimits, toServiceConfig } from '@douyin/config';

export const FavoriteEnv = z
  .object({ ...serviceEnv('favorite').shape, ...RpcServerEnv.shape, ...DbEnv.shape, ...CacheEnv.shape })
  .transform((e) => ({ service: toServiceConfig('favorite', e), limits: toProcedureLimits(e), db: toDbConfig('favorite', e), cache: toCacheConfig(e) }));
export type FavoriteConfig = z.output<typeof FavoriteEnv>;
