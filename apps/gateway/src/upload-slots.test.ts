import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadSlots } from './upload-slots.js';

test('slots are bounded in all and per IP, and come back once released, each only once', () => {
  const slots = uploadSlots({ total: 3, perIp: 2 });
  const a1 = slots.take('a');
  const a2 = slots.take('a');
  assert.ok(a1 && a2);
  assert.equal(slots.take('a'), undefined, 'a third from one IP');
  const b1 = slots.take('b');
  assert.ok(b1);
  assert.equal(slots.take('c'), undefined, 'a fourth in all');
  a1();
  a1();
  assert.ok(slots.take('c'), 'the released slot, once');
  assert.equal(slots.take('d'), undefined);
  assert.equal(slots.take('a'), undefined, 'a still holds one and the total is full');
  a2();
  assert.ok(slots.take('a'));
});
