export { createDiskStore } from './disk-store.js';
export {
  IMMUTABLE_CACHE_CONTROL,
  ObjectNotFoundError,
  StorageUnavailableError,
  contentTypeOf,
  isValidKey,
  newKey,
  storageUnavailable,
  type ByteRange,
  type ObjectInfo,
  type ObjectStore,
} from './object-store.js';
export { createObjectStore, type StorageConfig } from './create-store.js';
export { createS3Store, type S3StoreConfig, type S3StoreOptions } from './s3-store.js';
export { StorageTimeoutError, type RequestBounds } from './bounded-transport.js';
