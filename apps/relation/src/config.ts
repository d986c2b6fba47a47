import { z } from 'zod';
import { DbEnv, serviceEnv, toDbConfig, toServiceConfig } from '@douyin/config';

export const RelationEnv = z
  .object({ ...serviceEnv('relation').shape, ...DbEnv.shape })
  .transform((e) => ({ service: toServiceConfig('relation', e), db: toDbConfig('relation', e) }));
export type RelationConfig = z.output<typeof RelationEnv>;
