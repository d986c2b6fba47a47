import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pushStream } from './push-stream.js';

/** A response whose client reads nothing until `read()` is called: every write waits unsent. */
function unreadResponse() {
  const pending: Array<() => void> = [];
  const res = new Writable({ highWaterMark: 16, write: (_chunk, _enc, done) => void pending.push(done) });
  // Each acknowledged write hands the stream's next queued chunk to write(), so reading drains the queue one by one.
  const read = () => {
    while (pending.length > 0) pending.shift()!();
  };
  return { res, read };
}

test('a push stream is ended by the first write that finds more than its limit waiting unsent', () => {
  const { res, read } = unreadResponse();
  let stalls = 0;
  const stream = pushStream(res as never, () => stalls++, 100);
  const message = (i: number) => stream.event('message', { content: `m${i}` }); // 39 bytes each
  stream.comment('connected'); // 13
  for (let i = 0; i < 3; i++) message(i); // the third finds 91 waiting, under the limit
  assert.equal(res.writableLength, 130);
  read(); // a client that reads keeps its connection, whatever it was sent in all
  for (let i = 3; i < 6; i++) message(i);
  read();
  assert.equal(res.destroyed, false);
  for (let i = 6; i < 9; i++) message(i);
  assert.equal(res.destroyed, false);
  message(9); // finds 117 waiting
  assert.equal(res.destroyed, true);
  assert.equal(stalls, 1);
  stream.comment('ping');
  assert.equal(stalls, 1);
});

test('an ended stream writes nothing more, and is cut once its client has not taken the rest within the grace', async () => {
  const asleep = unreadResponse();
  const stream = pushStream(asleep.res as never, () => undefined, 1_000, 50);
  stream.event('message', { content: 'last' });
  stream.end();
  // A heartbeat or a delivery after the end: written, it would be an 'error' event nothing listens for.
  stream.comment('ping');
  stream.event('message', { content: 'late' });
  await sleep(150);
  assert.deepEqual({ finished: asleep.res.writableFinished, destroyed: asleep.res.destroyed }, { finished: false, destroyed: true });

  const awake = unreadResponse();
  const reading = pushStream(awake.res as never, () => undefined, 1_000, 50);
  reading.event('message', { content: 'last' });
  reading.end();
  awake.read();
  await sleep(150);
  assert.equal(awake.res.writableFinished, true, 'a client that reads gets the end');
});
