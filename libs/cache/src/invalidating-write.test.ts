import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalidatingWrite, type CacheEntry } from '@douyin/cache';

const entries: CacheEntry[] = [['count', 1]];

test('a write that changed its entries deletes them after it; one that changed nothing leaves them', async () => {
  const deleted: CacheEntry[][] = [];
  const cache = { invalidate: async (e: readonly CacheEntry[]) => void deleted.push([...e]) };
  assert.equal(await invalidatingWrite(cache, entries, async () => true), true);
  assert.equal(await invalidatingWrite(cache, entries, async () => false), false);
  assert.equal(await invalidatingWrite(cache, entries, async () => 42), 42, 'an answer other than false (a new id) changed something');
  assert.deepEqual(deleted, [entries, entries]);
});

test('a failed write deletes them too, since it may have committed, and its error reaches the caller', async () => {
  const deleted: CacheEntry[][] = [];
  const cache = { invalidate: async (e: readonly CacheEntry[]) => void deleted.push([...e]) };
  const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' });
  await assert.rejects(invalidatingWrite(cache, entries, async () => Promise.reject(lost)), lost);
  assert.deepEqual(deleted, [entries]);
});
