import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaUrls } from './media-urls.js';

const HOUR = 3600_000;

/** A store that signs like S3 (the URL names the key, the signing time and the TTL) and counts its signatures. */
function signingStore() {
  const signatures: Array<{ key: string; signedAt: number; ttlSeconds: number }> = [];
  return {
    kind: 's3' as const,
    signatures,
    async presignGet(key: string, ttlSeconds: number, signedAt?: Date) {
      const at = (signedAt ?? new Date()).getTime();
      signatures.push({ key, signedAt: at, ttlSeconds });
      return `https://s3.example.com/b/${key}?date=${at}&ttl=${ttlSeconds}`;
    },
  };
}

/** One URL at a time, as the tests below ask. */
const urlsOf = (...args: Parameters<typeof mediaUrls>) => {
  const urls = mediaUrls(...args);
  return { of: async (key: string) => (await urls.of([key]))[0] };
};

test('a key is signed once per hour, and every URL handed out has at least five hours left', async () => {
  const store = signingStore();
  let clock = Date.UTC(2026, 0, 1, 10, 0, 0);
  const urls = urlsOf(store, 'http://gw', () => clock);
  const first = await urls.of('videos/a.mp4');
  for (const minutes of [1, 30, 59]) {
    clock = Date.UTC(2026, 0, 1, 10, minutes, 59);
    assert.equal(await urls.of('videos/a.mp4'), first);
  }
  assert.equal(store.signatures.length, 1);
  clock = Date.UTC(2026, 0, 1, 11, 0, 0);
  const next = await urls.of('videos/a.mp4');
  assert.notEqual(next, first);
  assert.equal(store.signatures.length, 2);
  for (const { signedAt, ttlSeconds } of store.signatures) {
    // Handed out until the end of the hour it was signed for.
    const lastHandedOut = signedAt + HOUR - 1;
    assert.ok(signedAt + ttlSeconds * 1000 - lastHandedOut >= 5 * HOUR - 1);
  }
});

test('two gateways hand out the same URL for a key within the hour', async () => {
  const clock = () => Date.UTC(2026, 0, 1, 10, 17, 3);
  const [a, b] = [urlsOf(signingStore(), 'http://gw', clock), urlsOf(signingStore(), 'http://gw', clock)];
  assert.equal(await a.of('covers/x.jpg'), await b.of('covers/x.jpg'));
  assert.notEqual(await a.of('covers/x.jpg'), await a.of('covers/y.jpg'));
});

test("a page's URLs come in the order asked; only the keys new this hour are signed", async () => {
  const store = signingStore();
  const urls = mediaUrls(store, 'http://gw', () => Date.UTC(2026, 0, 1, 10));
  const [a, b] = await urls.of(['videos/a.mp4', 'covers/a.jpg']);
  const page = await urls.of(['covers/b.jpg', 'covers/a.jpg', 'videos/b.mp4', 'videos/a.mp4']);
  assert.equal(page.length, 4);
  assert.deepEqual([page[1], page[3]], [b, a]);
  assert.match(page[0]!, /\/covers\/b\.jpg\?/);
  assert.match(page[2]!, /\/videos\/b\.mp4\?/);
  assert.deepEqual(store.signatures.map((s) => s.key), ['videos/a.mp4', 'covers/a.jpg', 'covers/b.jpg', 'videos/b.mp4']);
  assert.deepEqual(await urls.of([]), []);
});

test('a store without its own endpoint gets the gateway media route', async () => {
  const disk = { kind: 'disk' as const, presignGet: async () => assert.fail('a disk store has nothing to sign') };
  assert.deepEqual(await mediaUrls(disk, 'http://gw:8080').of(['videos/a.mp4', 'covers/a.jpg']), ['http://gw:8080/media/videos/a.mp4', 'http://gw:8080/media/covers/a.jpg']);
  const unsigned = mediaUrls({ kind: 's3', presignGet: async () => undefined }, 'http://gw:8080');
  assert.deepEqual(await unsigned.of(['videos/a.mp4']), ['http://gw:8080/media/videos/a.mp4']);
});

test('the kept URLs are bounded: the least recently signed key is signed again', async () => {
  const store = signingStore();
  const urls = urlsOf(store, 'http://gw', () => Date.UTC(2026, 0, 1, 10));
  for (let i = 0; i <= 50_000; i++) await urls.of(`videos/${i}.mp4`);
  assert.equal(store.signatures.length, 50_001);
  await urls.of('videos/50000.mp4');
  assert.equal(store.signatures.length, 50_001, 'the latest key is still kept');
  await urls.of('videos/0.mp4');
  assert.equal(store.signatures.length, 50_002, 'the first key was dropped to stay within the bound');
});
