import { z } from 'zod';
import { CacheEnv, DbEnv, serviceEnv, toCacheConfig, toDbConfig, toServiceConfig } from '@douyin/config';

export const UserEnv = z
  .object({ ...serviceEnv('user').shape, ...DbEnv.shape, ...CacheEnv.shape })
  .transform((e) => ({ service: toServiceConfig('user', e), db: toDbConfig('user', e), cache: toCacheConfig(e) }));
export type UserConfig = z.output<typeof UserEnv>;
