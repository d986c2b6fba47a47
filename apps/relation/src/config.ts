import { z } from 'zod';
import { CacheEnv, DbEnv, RpcServerEnv, serviceEnv, toCacheConfig, toDbConfig, toProcedureLimits, toServiceConfig } from '@douyin/config';

export const RelationEnv = z
  .object({ ...serviceEnv('relation').shape, ...RpcServerEnv.shape, ...DbEnv.shape, ...CacheEnv.shape })
  .transform((e) => ({ service: toServiceConfig('relation', e), limits: toProcedureLimits(e), db: toDbConfig('relation', e), cache: toCacheConfig(e) }));
export type RelationConfig = z.output<typeof RelationEnv>;
