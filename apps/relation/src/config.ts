import { z } from 'zod';
import { CacheEnv, DbEnv, serviceEnv, toCacheConfig, toDbConfig, toServiceConfig } from '@douyin/config';

export const RelationEnv = z
  .object({ ...serviceEnv('relation').shape, ...DbEnv.shape, ...CacheEnv.shape })
  .transform((e) => ({ service: toServiceConfig('relation', e), db: toDbConfig('relation', e), cache: toCacheConfig(e) }));
export type RelationConfig = z.output<typeof RelationEnv>;
