import type { Redis } from 'ioredis';
import type { Logger } from '@douyin/telemetry';

/** Logs a Redis outage once when it starts and once when it ends, not once per failed read. */
export function redisHealth(redis: Redis, logger: Logger) {
  let down = false;
  const failed = (err: unknown) => {
    if (down) return;
    down = true;
    logger.warn({ err }, 'cache unavailable; reading from the database');
  };
  // ioredis emits connection errors as events; without a listener it would print them itself.
  redis.on('error', failed);
  return {
    failed,
    ok() {
      if (!down) return;
      down = false;
      logger.info('cache available again');
    },
  };
}
