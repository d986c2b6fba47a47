import type { ObjectStore } from '@douyin/storage';

/** The route prefix under which the gateway serves stored objects itself. */
export const MEDIA_PREFIX = '/media/';

// Presigned URLs must outlive a viewing session (the contract asks for at least an hour); every response signs anew.
const PRESIGN_TTL_SECONDS = 6 * 3600;

/** Absolute URLs of stored objects that a phone can GET without a token. */
export interface MediaUrls {
  of(key: string): Promise<string>;
}

/** Presigned object-store URLs when the store has its own HTTP endpoint (MinIO), else the gateway's media route. */
export function mediaUrls(store: Pick<ObjectStore, 'presignGet'>, publicBaseUrl: string): MediaUrls {
  return {
    async of(key) {
      return (await store.presignGet(key, PRESIGN_TTL_SECONDS)) ?? `${publicBaseUrl}${MEDIA_PREFIX}${key}`;
    },
  };
}
