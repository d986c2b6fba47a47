import { createDiskStore } from './disk-store.js';
import type { ObjectStore } from './object-store.js';
import { createS3Store, type S3StoreConfig } from './s3-store.js';

/** Local disk (embedded default) or an S3 bucket, as configured. */
export type StorageConfig = { kind: 'disk'; root: string } | ({ kind: 's3' } & S3StoreConfig);

/** The configured backend; nothing is contacted until the first call (or `prepare()`). */
export function createObjectStore(config: StorageConfig): ObjectStore {
  return config.kind === 'disk' ? createDiskStore(config) : createS3Store(config);
}
