import { z } from 'zod';
import { DbEnv, serviceEnv, toDbConfig, toServiceConfig } from '@douyin/config';

export const UserEnv = z
  .object({ ...serviceEnv('user').shape, ...DbEnv.shape })
  .transform((e) => ({ service: toServiceConfig('user', e), db: toDbConfig('user', e) }));
export type UserConfig = z.output<typeof UserEnv>;
