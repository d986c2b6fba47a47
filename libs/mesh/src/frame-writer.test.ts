import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { FrameWriter, type FlushAt } from './frame-writer.js';

/** A socket that records what each write carried. */
function recordingSocket(): { socket: Socket; writes: string[] } {
  const writes: string[] = [];
  const socket = { writable: true, write: (bytes: Buffer) => writes.push(bytes.toString()) } as unknown as Socket;
  return { socket, writes };
}

const nextImmediate = () => new Promise<void>((resolve) => setImmediate(resolve));

for (const flushAt of ['task', 'poll'] as FlushAt[]) {
  test(`${flushAt}: frames queued by one callback and its microtasks leave in one write, with their onSent`, async () => {
    const { socket, writes } = recordingSocket();
    const writer = new FrameWriter(socket, flushAt);
    const sent: string[] = [];
    writer.write(Buffer.from('a'), () => sent.push('a'));
    queueMicrotask(() => writer.write(Buffer.from('b'), () => sent.push('b')));
    await nextImmediate();
    await nextImmediate();
    assert.deepEqual(writes, ['ab']);
    assert.deepEqual(sent, ['a', 'b']);
  });
}

test('task: the write happens before the poll phase ends; poll: after it', async () => {
  for (const [flushAt, writesSeenByImmediate] of [['task', 1], ['poll', 0]] as const) {
    const { socket, writes } = recordingSocket();
    const writer = new FrameWriter(socket, flushAt);
    // An immediate queued before the frame runs in the same check phase as a poll flush would, but first.
    const seen = new Promise<number>((resolve) => setImmediate(() => resolve(writes.length)));
    writer.write(Buffer.from('a'));
    assert.equal(await seen, writesSeenByImmediate, flushAt);
    await nextImmediate();
    assert.deepEqual(writes, ['a'], flushAt);
  }
});

test('poll: frames queued by separate callbacks of one loop turn share a write', async () => {
  const { socket, writes } = recordingSocket();
  const writer = new FrameWriter(socket, 'poll');
  // Both immediates were queued before either ran: they run in one check phase, and the flush they queue in the next.
  await Promise.all([
    new Promise<void>((resolve) => setImmediate(() => resolve(writer.write(Buffer.from('a'))))),
    new Promise<void>((resolve) => setImmediate(() => resolve(writer.write(Buffer.from('b'))))),
  ]);
  assert.deepEqual(writes, []);
  await nextImmediate();
  assert.deepEqual(writes, ['ab']);
});

test('frames queued after the socket stopped being writable are dropped, and their onSent never runs', async () => {
  const { socket, writes } = recordingSocket();
  const writer = new FrameWriter(socket, 'task');
  let sent = false;
  writer.write(Buffer.from('a'), () => (sent = true));
  (socket as { writable: boolean }).writable = false;
  await nextImmediate();
  assert.deepEqual(writes, []);
  assert.equal(sent, false);
});
