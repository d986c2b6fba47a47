import { RpcServerEnv, loadConfigOrExit, serviceEnv, toProcedureLimits, toServiceConfig, type ProcedureLimits, type ServiceConfig } from '@douyin/config';

/** A ServiceConfig for a bench process named `name`, read from its environment like any app's (PORT, STATIC_SERVICES, MESH_*). */
export function benchServiceConfig(name: string): ServiceConfig {
  const env = loadConfigOrExit(serviceEnv('gateway'));
  // toServiceConfig names only the mesh's apps; the bench's callee is a service of its own.
  return { ...toServiceConfig('gateway', env), name };
}

/** The procedure limits a service reads (RPC_CONCURRENCY_LIMIT, RPC_QUEUE_LIMIT), for the bench's callee. */
export const benchProcedureLimits = (): ProcedureLimits => toProcedureLimits(loadConfigOrExit(RpcServerEnv));
