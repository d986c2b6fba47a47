import { z } from 'zod';
import { DbEnv, RpcServerEnv, serviceEnv, toDbConfig, toProcedureLimits, toServiceConfig } from '@douyin/config';

export const MessageEnv = z
  .object({ ...serviceEnv('message').shape, ...RpcServerEnv.shape, ...DbEnv.shape })
  .transform((e) => ({ service: toServiceConfig('message', e), limits: toProcedureLimits(e), db: toDbConfig('message', e) }));
export type MessageConfig = z.output<typeof MessageEnv>;
