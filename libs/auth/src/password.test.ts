import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '@douyin/auth';

test('a hash verifies its password and rejects another', async () => {
  const stored = await hashPassword('correct horse 🐎');
  assert.match(stored, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
  assert.equal(await verifyPassword('correct horse 🐎', stored), true);
  assert.equal(await verifyPassword('correct horse', stored), false);
});

test('the same password hashes differently each time', async () => {
  const [a, b] = await Promise.all([hashPassword('pw'), hashPassword('pw')]);
  assert.notEqual(a, b);
  assert.notEqual(a.split('$')[4], b.split('$')[4]);
});

test('a malformed stored hash is a mismatch, not an error', async () => {
  const good = await hashPassword('pw');
  const [, N, r, p, salt, hash] = good.split('$');
  const malformed = [
    '',
    'pw',
    '5f4dcc3b5aa765d61d8327deb882cf99', // an MD5 from the old system
    `bcrypt$${N}$${r}$${p}$${salt}$${hash}`,
    `scrypt$${N}$${r}$${p}$${salt}`,
    `scrypt$1000$${r}$${p}$${salt}$${hash}`, // N not a power of two
    `scrypt$${2 ** 30}$${r}$${p}$${salt}$${hash}`, // would need gigabytes
    `scrypt$${N}$0$${p}$${salt}$${hash}`,
    `scrypt$${N}$${r}$${p}$!!!$${hash}`,
    `scrypt$${N}$${r}$${p}$${salt}$${hash?.slice(0, 8)}`,
  ];
  for (const stored of malformed) assert.equal(await verifyPassword('pw', stored), false, stored);
});

test('the dummy verify always fails and costs about as much as a real one', async () => {
  const stored = await hashPassword('pw');
  const elapsed = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  // Interleaved, so a burst of load from other processes hits both sides alike.
  let real = 0;
  let dummy = 0;
  for (let i = 0; i < 5; i++) {
    real += await elapsed(() => verifyPassword('guess', stored));
    dummy += await elapsed(() => verifyAgainstDummy('guess'));
  }
  assert.equal(await verifyAgainstDummy('pw'), false);
  // Loose bounds: only a missing scrypt call (orders of magnitude) should fail this.
  assert.ok(dummy > real / 4 && dummy < real * 4, `real ${real.toFixed(1)} ms, dummy ${dummy.toFixed(1)} ms`);
});
