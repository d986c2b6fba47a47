import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admitEveryMiss, createDoorkeeper } from './doorkeeper.js';

test('a key is admitted from its second miss on, each key on its own', () => {
  const doorkeeper = createDoorkeeper();
  assert.equal(doorkeeper.admits('video:1'), false);
  assert.equal(doorkeeper.admits('video:2'), false);
  assert.equal(doorkeeper.admits('video:1'), true);
  assert.equal(doorkeeper.admits('video:1'), true);
  assert.equal(doorkeeper.admits('video:2'), true);
  assert.equal(doorkeeper.admits('user:1'), false);
  assert.equal(admitEveryMiss.admits('video:3'), true);
});

test('memory is bounded: a key is forgotten once many others have missed since', () => {
  const doorkeeper = createDoorkeeper(4);
  doorkeeper.admits('old');
  for (let i = 0; i < 200; i++) doorkeeper.admits(`k${i}`);
  assert.equal(doorkeeper.admits('old'), false);
  // Of 1,000 keys seen once each, nearly all are still strangers: only a shared slot and hash admits one early.
  const wide = createDoorkeeper();
  let admitted = 0;
  for (let i = 0; i < 1_000; i++) if (wide.admits(`video:${i}`)) admitted++;
  assert.ok(admitted <= 1, `${admitted} keys admitted on their first miss`);
});
