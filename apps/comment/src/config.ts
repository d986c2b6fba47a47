import { z } from 'zod';
import { CacheEnv, DbEnv, RpcServerEnv, serviceEnv, toCacheConfig, toDbConfig, toProcedureLimits, toServiceConfig } from '@douyin/config';

export const CommentEnv = z
  .object({ ...serviceEnv('comment').shape, ...RpcServerEnv.shape, ...DbEnv.shape, ...CacheEnv.shape })
  .transform((e) => ({ service: toServiceConfig('comment', e), limits: toProcedureLimits(e), db: toDbConfig('comment', e), cache: toCacheConfig(e) }));
export type CommentConfig = z.output<typeof CommentEnv>;
