import { buffer } from 'node:stream/consumers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Video } from '@douyin/contracts';
import { createDiskStore, newKey, type ObjectStore } from '@douyin/storage';
import type { GatewayDeps } from '../src/deps.js';
import { mediaUrls } from '../src/media-urls.js';
import { uploadSlots } from '../src/upload-slots.js';

type After = { after(fn: () => unknown): void };

export const MEDIA_BASE = 'http://phone-reachable.test:8080';

/** A temp disk store, removed after the test, wired the way main.ts wires the real one. */
export async function testMedia(t: After, maxUploadBytes = 10 * 1024 * 1024): Promise<GatewayDeps['media'] & { store: ObjectStore; root: string }> {
  const root = await mkdtemp(join(tmpdir(), 'douyin-gw-media-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const store = createDiskStore({ root });
  await store.prepare();
  return { store, root, urls: mediaUrls(store, MEDIA_BASE), maxUploadBytes, slots: uploadSlots({ total: 64, perIp: 64 }), publishTimeoutMs: 10_000 };
}

/**
 * A video service in memory: publish takes the staged bytes (recorded in `published`) and deletes the staged
 * object as the real one does, without probing; feed and lists follow the real ordering rules.
 */
export function fakeVideoService(store: Pick<ObjectStore, 'get' | 'delete'>) {
  const videos: Video[] = [];
  const published: Array<{ video: Video; bytes: Buffer }> = [];
  const calls: string[] = [];
  let clock = 1_700_000_000_000;
  const add = (authorId: number, title: string, publishedAt = ++clock): Video => {
    clock = Math.max(clock, publishedAt);
    const video = { id: videos.length + 1, authorId, title, videoKey: newKey('videos', 'mp4'), coverKey: newKey('covers', 'jpg'), publishedAt };
    videos.push(video);
    return video;
  };
  const newestFirst = (list: Video[]) => [...list].sort((a, b) => b.publishedAt - a.publishedAt);
  const client = {
    publish: {
      mutate: async ({ authorId, title, stagingKey }: { authorId: number; title: string; stagingKey: string }) => {
        calls.push('publish');
        const bytes = await buffer((await store.get(stagingKey))!);
        await store.delete(stagingKey);
        const video = add(authorId, title);
        published.push({ video, bytes });
        return video;
      },
    },
    feed: {
      query: async ({ before, limit = 30 }: { before?: number; limit?: number }) => {
        calls.push('feed');
        return newestFirst(videos.filter((v) => before === undefined || v.publishedAt < before)).slice(0, limit);
      },
    },
    byAuthor: {
      query: async ({ authorId, limit }: { authorId: number; limit?: number }) => {
        calls.push('byAuthor');
        return newestFirst(videos.filter((v) => v.authorId === authorId)).slice(0, limit);
      },
    },
    byIds: {
      query: async ({ videoIds }: { videoIds: number[] }) => {
        calls.push('byIds');
        return videos.filter((v) => videoIds.includes(v.id));
      },
    },
  } as unknown as GatewayDeps['video'];
  return { client, videos, published, calls, add };
}
