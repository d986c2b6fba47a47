import { z } from 'zod';
import { httpOrigin } from './http-url.js';
import { ConfigError } from './load-config.js';

const MiB = 1024 * 1024;

/**
 * An S3 endpoint: scheme, host and port only. The client addresses buckets from the root of the host, so a path
 * (a store behind a proxy's /minio/, say) would be dropped without a word, and every URL handed to the APK miss.
 */
const S3Origin = httpOrigin('http://minio:9000');

/** Object storage: files under STORAGE_DIR (default `$DATA_DIR/media`), or an S3/MinIO bucket when S3_ENDPOINT is set. */
export const StorageEnv = z.object({
  STORAGE_DIR: z.string().optional(),
  S3_ENDPOINT: S3Origin.optional(),
  /** The address phones reach MinIO at, which presigned URLs embed; default S3_ENDPOINT. */
  S3_PUBLIC_ENDPOINT: S3Origin.optional(),
  S3_BUCKET: z.string().min(3).default('douyin'),
  S3_ACCESS_KEY: z.string().min(1).optional(),
  S3_SECRET_KEY: z.string().min(1).optional(),
  S3_REGION: z.string().default('us-east-1'),
  // S3 refuses parts under 5 MiB; each upload holds about two parts in memory.
  S3_PART_SIZE: z.coerce.number().int().min(5 * MiB).default(8 * MiB),
  // Long enough for a server-side copy of the largest upload, which answers nothing until it is done.
  S3_STALL_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
});
type StorageEnvValues = z.output<typeof StorageEnv> & { DATA_DIR: string };

/** The settings `createObjectStore` takes; throws ConfigError when S3 is chosen without credentials. */
export function toStorageConfig(e: StorageEnvValues) {
  if (!e.S3_ENDPOINT) return { kind: 'disk' as const, root: e.STORAGE_DIR ?? `${e.DATA_DIR}/media` };
  if (!e.S3_ACCESS_KEY || !e.S3_SECRET_KEY) throw new ConfigError(['S3_ACCESS_KEY and S3_SECRET_KEY: required with S3_ENDPOINT']);
  return {
    kind: 's3' as const,
    endpoint: e.S3_ENDPOINT,
    publicEndpoint: e.S3_PUBLIC_ENDPOINT,
    bucket: e.S3_BUCKET,
    accessKey: e.S3_ACCESS_KEY,
    secretKey: e.S3_SECRET_KEY,
    region: e.S3_REGION,
    partSize: e.S3_PART_SIZE,
    stallMs: e.S3_STALL_TIMEOUT_MS,
  };
}
