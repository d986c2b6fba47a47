import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PendingInvalidations } from './pending-invalidations.js';

/** A send that fails while `down`, records what it was given, and can be held in flight. */
function redisStandIn() {
  const state = { down: true, sent: [] as string[][] };
  let gate: Promise<void> | undefined;
  return {
    state,
    async send(keys: string[]) {
      state.sent.push(keys);
      await gate;
      if (state.down) throw new Error('unreachable');
    },
    /** Holds every send from now on until the returned function is called. */
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

test('failed invalidations are sent again until they are taken, then forgotten', async (t) => {
  const { state, send } = redisStandIn();
  const sizes: number[] = [];
  const pending = new PendingInvalidations(send, { pending: (n) => sizes.push(n), overflowed: () => assert.fail('nothing overflows') });
  t.after(() => pending.stop());
  pending.add(['a', 'b']);
  assert.ok(pending.has('a') && pending.has('b') && !pending.has('c'));
  await sleep(150); // the first retry, at 100 ms, fails
  assert.deepEqual(state.sent, [['a', 'b']]);
  assert.equal(pending.size, 2);
  state.down = false;
  await pending.replay();
  assert.deepEqual(state.sent.at(-1), ['a', 'b']);
  assert.equal(pending.size, 0);
  assert.ok(!pending.has('a'));
  assert.deepEqual(sizes, [2, 0]);
});

test('an invalidation that fails while a replay is in flight stays pending after that replay succeeds', async (t) => {
  const redis = redisStandIn();
  const pending = new PendingInvalidations(redis.send, { pending: () => undefined, overflowed: () => undefined });
  t.after(() => pending.stop());
  pending.add(['a', 'b']);
  redis.state.down = false;
  const release = redis.hold();
  const replay = pending.replay();
  pending.add(['a']); // a later commit's delete of "a" failed: the replay in flight may have run before that commit
  release();
  await replay;
  assert.ok(pending.has('a'));
  assert.ok(!pending.has('b'));
  await pending.replay();
  assert.equal(pending.size, 0);
});

test('past the limit, keys are not remembered, and that is reported once until the pending keys are sent', async (t) => {
  const overflows: number[] = [];
  const pending = new PendingInvalidations(async () => undefined, { pending: () => undefined, overflowed: (limit) => overflows.push(limit) }, 2);
  t.after(() => pending.stop());
  pending.add(['a', 'b', 'c', 'a']);
  pending.add(['d']);
  assert.equal(pending.size, 2);
  assert.ok(!pending.has('c') && !pending.has('d'));
  assert.deepEqual(overflows, [2]);
  await pending.replay();
  pending.add(['e', 'f', 'g']);
  assert.deepEqual(overflows, [2, 2]);
});

test('once stopped, a replay that was in flight and failed is not tried again', async () => {
  const redis = redisStandIn();
  const pending = new PendingInvalidations(redis.send, { pending: () => undefined, overflowed: () => undefined });
  pending.add(['a']);
  const release = redis.hold();
  const replay = pending.replay();
  pending.stop();
  release();
  await replay;
  await sleep(300);
  assert.deepEqual(redis.state.sent, [['a']]);
});
