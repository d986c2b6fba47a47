import type { ObjectStore } from '@douyin/storage';

/** The route prefix under which the gateway serves stored objects itself. */
export const MEDIA_PREFIX = '/media/';

// Presigned URLs must outlive a viewing session: the contract asks for at least an hour.
const PRESIGN_TTL_SECONDS = 6 * 3600;
// A URL is signed as of the start of its hour and handed out during that hour only, so it has at least five hours
// left whenever a phone gets it. Signing per response would cost about 40 µs a signature, two per video: 8 ms of
// the gateway's CPU for a favorite list of 100 videos, four times the rest of its work on the list. Signed per hour,
// a key costs one signature an hour per gateway, and every replica hands out the same URL, which the phone's and
// any CDN's caches keep.
const SIGNING_WINDOW_MS = 3600_000;
/** URLs kept per process, about 300 bytes each; the least recently signed go first. */
const MAX_SIGNED_URLS = 50_000;

/** Absolute URLs of stored objects that a phone can GET without a token. */
export interface MediaUrls {
  /** The URLs of `keys`, in their order: one call per page, not per URL, since a page lists dozens. */
  of(keys: readonly string[]): Promise<string[]>;
}

/** Presigned object-store URLs when the store has its own HTTP endpoint (MinIO), else the gateway's media route. */
export function mediaUrls(store: Pick<ObjectStore, 'kind' | 'presignGet'>, publicBaseUrl: string, now: () => number = Date.now): MediaUrls {
  const routeOf = (key: string) => `${publicBaseUrl}${MEDIA_PREFIX}${key}`;
  // A disk store is served by the gateway itself: nothing to sign, nothing to wait for.
  if (store.kind === 'disk') return { of: async (keys) => keys.map(routeOf) };

  const signed = new Map<string, { window: number; url: string }>();
  async function sign(key: string, window: number): Promise<string> {
    const url = await store.presignGet(key, PRESIGN_TTL_SECONDS, new Date(window * SIGNING_WINDOW_MS));
    if (url === undefined) return routeOf(key);
    signed.delete(key);
    signed.set(key, { window, url });
    if (signed.size > MAX_SIGNED_URLS) signed.delete(signed.keys().next().value as string);
    return url;
  }
  return {
    async of(keys) {
      const window = Math.floor(now() / SIGNING_WINDOW_MS);
      const urls: string[] = [];
      const unsigned: number[] = [];
      keys.forEach((key, i) => {
        const kept = signed.get(key);
        if (kept?.window === window) urls[i] = kept.url;
        else unsigned.push(i);
      });
      // Only the keys new this hour wait for a signature (a page's play and cover URLs are signed side by side).
      await Promise.all(unsigned.map(async (i) => (urls[i] = await sign(keys[i]!, window))));
      return urls;
    },
  };
}
