import { setTimeout as sleep } from 'node:timers/promises';
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

test('a failed write deletes them too, since it may have committed, and again once it must have ended', async () => {
  const deleted: CacheEntry[][] = [];
  const cache = { invalidate: async (e: readonly CacheEntry[]) => void deleted.push([...e]) };
  const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' });
  await assert.rejects(invalidatingWrite(cache, entries, async () => Promise.reject(lost), { lateCommitMs: 30 }), lost);
  assert.deepEqual(deleted, [entries]);
  // Its statement may still be running on the server, and commit after a reader cached the old value again.
  await sleep(60);
  assert.deepEqual(deleted, [entries, entries]);
  // A cache that fails the late delete (closed by then) costs nothing more.
  const closed = { invalidate: async () => Promise.reject(new Error('closed')) };
  await assert.rejects(invalidatingWrite(closed, entries, async () => Promise.reject(lost), { lateCommitMs: 1 }), /closed/);
  await sleep(20);
});
