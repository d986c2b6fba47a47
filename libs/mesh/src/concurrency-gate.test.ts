import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConcurrencyGate } from './concurrency-gate.js';

const later = (ms: number) => Date.now() + ms;

test('runs up to the limit at once, then admits waiters in arrival order as calls release', async () => {
  const gate = new ConcurrencyGate(2, 10);
  const [a, b] = await Promise.all([gate.enter(later(1000)), gate.enter(later(1000))]);
  assert.ok(a && b);
  const order: string[] = [];
  const c = gate.enter(later(1000)).then((release) => (order.push('c'), release));
  const d = gate.enter(later(1000)).then((release) => (order.push('d'), release));
  await sleep(10);
  assert.deepEqual(order, [], 'both wait while two calls run');
  a();
  a(); // a second release of the same call frees nothing more
  const releaseC = await c;
  assert.deepEqual(order, ['c']);
  assert.equal(gate.active, 2);
  b();
  await d;
  assert.deepEqual(order, ['c', 'd']);
  releaseC?.();
  assert.equal(gate.active, 1);
});

test('refuses at once when the queue is full, and a waiter whose deadline passes gives up its place', async () => {
  const gate = new ConcurrencyGate(1, 1);
  const running = await gate.enter(later(1000));
  const short = gate.enter(later(30));
  assert.equal(await gate.enter(later(1000)), null, 'the one queue place is taken');
  assert.equal(await short, null, 'its deadline passed while it waited');
  const next = gate.enter(later(1000));
  running?.();
  assert.ok(await next, 'the place freed by the expired waiter went to the next caller');
  assert.equal(await gate.enter(Date.now() - 1), null, 'a call already past its deadline does not queue');
});
