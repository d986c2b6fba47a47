import { z } from 'zod';
import { CacheEnv, DbEnv, RpcServerEnv, serviceEnv, toCacheConfig, toDbConfig, toProcedureLimits, toServiceConfig } from '@douyin/config';

export const UserEnv = z
  .object({ ...serviceEnv('user').shape, ...RpcServerEnv.shape, ...DbEnv.shape, ...CacheEnv.shape })
  .transform((e) => ({ service: toServiceConfig('user', e), limits: toProcedureLimits(e), db: toDbConfig('user', e), cache: toCacheConfig(e) }));
export type UserConfig = z.output<typeof UserEnv>;
