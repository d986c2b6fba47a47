import { createDiskStore } from './disk-store.js';
import type { ObjectStore } from './object-store.js';
import { createS3Store, type S3StoreConfig, type S3StoreOptions } from './s3-store.js';

/** Local disk (embedded default) or an S3 bucket, as configured. */
export type StorageConfig = { kind: 'disk'; root: string } | ({ kind: 's3' } & S3StoreConfig);

/**
 * The configured backend; nothing is contacted until the first call (or `prepare()`). `options.deadline` bounds an S3
 * store's requests by the call being served; a local folder answers as fast as its disk, which no deadline can cut.
 */
export function createObjectStore(config: StorageConfig, options: S3StoreOptions = {}): ObjectStore {
  return config.kind === 'disk' ? createDiskStore(config) : createS3Store(config, options);
}
