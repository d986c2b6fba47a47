import { z } from 'zod';
import { DbEnv, serviceEnv, toDbConfig, toServiceConfig } from '@douyin/config';

export const MessageEnv = z
  .object({ ...serviceEnv('message').shape, ...DbEnv.shape })
  .transform((e) => ({ service: toServiceConfig('message', e), db: toDbConfig('message', e) }));
export type MessageConfig = z.output<typeof MessageEnv>;
