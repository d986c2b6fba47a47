import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sseParser, type SseFrame } from './sse.js';

test('sseParser yields each frame once it is complete, whatever the chunks cut', () => {
  const body = ': connected\n\nid: 7\nevent: message\ndata: {"id":1}\n\nevent: closed\ndata: a\ndata: b\n\nid: 9\n: ping\n\nevent: message\ndata: {"id"';
  for (const size of [1, 3, 7, body.length]) {
    const frames: SseFrame[] = [];
    const push = sseParser((frame) => frames.push(frame));
    for (let i = 0; i < body.length; i += size) push(body.slice(i, i + size));
    assert.deepEqual(frames, [
      { event: undefined, data: '' },
      { event: 'message', data: '{"id":1}', id: '7' },
      { event: 'closed', data: 'a\nb' },
      { event: undefined, data: '', id: '9' },
    ]);
  }
});
