import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaUrls } from './media-urls.js';

const HOUR = 3600_000;

/** A store that signs like S3 (the URL names the key, the signing time and the TTL) and counts its signatures. */
function signingStore() {
  const signatures: Array<{ key: string; signedAt: number; ttlSeconds: number }> = [];
  return {
    signatures,
    async presignGet(key: string, ttlSeconds: number, signedAt?: Date) {
      const at = (signedAt ?? new Date()).getTime();
      signatures.push({ key, signedAt: at, ttlSeconds });
      return `https://s3.example.com/b/${key}?date=${at}&ttl=${ttlSeconds}`;
    },
  };
}

test('a key is signed once per hour, and every URL handed out has at least five hours left', async () => {
  const store = signingStore();
  let clock = Date.UTC(2026, 0, 1, 10, 0, 0);
  const urls = mediaUrls(store, 'http://gw', () => clock);
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
  const [a, b] = [mediaUrls(signingStore(), 'http://gw', clock), mediaUrls(signingStore(), 'http://gw', clock)];
  assert.equal(await a.of('covers/x.jpg'), await b.of('covers/x.jpg'));
  assert.notEqual(await a.of('covers/x.jpg'), await a.of('covers/y.jpg'));
});

test('a store without its own endpoint gets the gateway media route', async () => {
  const urls = mediaUrls({ presignGet: async () => undefined }, 'http://gw:8080');
  assert.equal(await urls.of('videos/a.mp4'), 'http://gw:8080/media/videos/a.mp4');
});

test('the kept URLs are bounded: the least recently signed key is signed again', async () => {
  const store = signingStore();
  const urls = mediaUrls(store, 'http://gw', () => Date.UTC(2026, 0, 1, 10));
  for (let i = 0; i <= 50_000; i++) await urls.of(`videos/${i}.mp4`);
  assert.equal(store.signatures.length, 50_001);
  await urls.of('videos/50000.mp4');
  assert.equal(store.signatures.length, 50_001, 'the latest key is still kept');
  await urls.of('videos/0.mp4');
  assert.equal(store.signatures.length, 50_002, 'the first key was dropped to stay within the bound');
});
