import { tmpdir } from 'node:os';
import { z } from 'zod';
import {
  CacheEnv,
  DbEnv,
  PublishDrainEnv,
  RpcServerEnv,
  StorageEnv,
  serviceEnv,
  timerMs,
  toCacheConfig,
  toDbConfig,
  toProcedureLimits,
  toServiceConfig,
  toStorageConfig,
  withPublishDrain,
} from '@douyin/config';

export const VideoEnv = z
  .object({
    ...serviceEnv('video').shape,
    // A publish it serves may run for the gateway's whole publish budget (PUBLISH_TIMEOUT_MS): the stop waits for it.
    ...PublishDrainEnv.shape,
    ...RpcServerEnv.shape,
    ...DbEnv.shape,
    ...StorageEnv.shape,
    ...CacheEnv.shape,
    // Debian's ffmpeg package provides both; point these elsewhere for a custom build.
    FFMPEG_PATH: z.string().default('ffmpeg'),
    FFPROBE_PATH: z.string().default('ffprobe'),
    MEDIA_TIMEOUT_MS: timerMs.default(20_000),
    /** Scratch space for probing uploads: up to one upload plus its cover per publish in flight. */
    MEDIA_WORK_DIR: z.string().default(tmpdir()),
  })
  .transform((e) => ({
    service: toServiceConfig('video', withPublishDrain(e)),
    limits: toProcedureLimits(e),
    db: toDbConfig('video', e),
    storage: toStorageConfig(e),
    cache: toCacheConfig(e),
    media: { ffmpegPath: e.FFMPEG_PATH, ffprobePath: e.FFPROBE_PATH, timeoutMs: e.MEDIA_TIMEOUT_MS },
    workDir: e.MEDIA_WORK_DIR,
  }));
export type VideoConfig = z.output<typeof VideoEnv>;
