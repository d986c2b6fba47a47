import { procedure, router } from '@douyin/contracts';

/** The trivial procedure every hop variant calls: the cost measured is the hop, not the work. */
export const pingRouter = router({ ping: procedure.query(() => 'pong') });
export type PingRouter = typeof pingRouter;

/** What every variant's /hop route answers, the bare one included, so the bytes on the wire are the same. */
export const hopAnswer = (value: string) => ({ status_code: 0, status_msg: 'ok', value });

/** The port a bench server listens on, from its PORT (the bench runner picks free ones). */
export const portOf = (env: NodeJS.ProcessEnv, name = 'PORT'): number => {
  const port = Number(env[name]);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`${name} must be a port, got ${env[name]}`);
  return port;
};
