import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, MAX_FRAME_BYTES, encodeFrame, type ReplyFrame } from './frames.js';

test('frames split across chunks and packed into one chunk decode in order', () => {
  const bytes = Buffer.concat([
    encodeFrame({ id: 1, status: 200, result: { name: '抖音 😀' } }),
    encodeFrame({ id: 2, status: 404, error: { code: 'NOT_FOUND', message: 'x' } }),
    encodeFrame({ id: 3, status: 200, result: null }),
  ]);
  const decoder = new FrameDecoder<ReplyFrame>();
  const seen: ReplyFrame[] = [];
  // Feed it byte by byte, then all at once: both must give the same three frames.
  for (let i = 0; i < bytes.length; i++) seen.push(...decoder.push(bytes.subarray(i, i + 1)));
  seen.push(...new FrameDecoder<ReplyFrame>().push(bytes));
  assert.deepEqual(seen.map((f) => f.id), [1, 2, 3, 1, 2, 3]);
  assert.deepEqual(seen[0]?.result, { name: '抖音 😀' });
});

test('an oversized length prefix is refused instead of buffered', () => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
  assert.throws(() => [...new FrameDecoder().push(header)], /exceeds/);
});

test('a large frame arriving in many reads is joined once, not copied again on every read', (t) => {
  const frame = encodeFrame({ id: 7, status: 200, result: 'x'.repeat(4 * 1024 * 1024) });
  let copied = 0;
  const concat = Buffer.concat;
  t.mock.method(Buffer, 'concat', (list: readonly Uint8Array[], length?: number) => {
    copied += length ?? list.reduce((sum, b) => sum + b.length, 0);
    return concat(list, length);
  });
  const decoder = new FrameDecoder<ReplyFrame>();
  const seen: ReplyFrame[] = [];
  for (let at = 0; at < frame.length; at += 64 * 1024) seen.push(...decoder.push(frame.subarray(at, at + 64 * 1024)));
  assert.equal(seen.length, 1);
  assert.equal((seen[0]?.result as string).length, 4 * 1024 * 1024);
  assert.ok(copied <= 2 * frame.length, `${copied} bytes copied for a frame of ${frame.length}`);
});
