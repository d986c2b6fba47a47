import { Redis } from 'ioredis';

/** What a Redis holds: its keys, and the memory its data takes (INFO's used_memory). */
export interface RedisFootprint {
  keys: number;
  usedMb: number;
}

/** used_memory of an INFO memory reply, in MB. */
export function usedMemoryMbOf(info: string): number {
  const bytes = /^used_memory:(\d+)\r?$/m.exec(info)?.[1];
  if (bytes === undefined) throw new Error('INFO memory has no used_memory line');
  return Number(bytes) / (1024 * 1024);
}

/** Reads the footprint of the Redis at `url`. */
export async function redisFootprint(url: string): Promise<RedisFootprint> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const [keys, info] = await Promise.all([redis.dbsize(), redis.info('memory')]);
    return { keys, usedMb: usedMemoryMbOf(info) };
  } finally {
    redis.disconnect();
  }
}
