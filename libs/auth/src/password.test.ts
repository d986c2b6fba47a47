import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dummyStoredHash, hashPassword, verifyAgainstDummy, verifyPassword } from '@douyin/auth';
import { madeOnce } from './password.js';

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

test('the dummy verify always fails, and is a real verify against a hash with the parameters of every new one', async () => {
  assert.equal(await verifyAgainstDummy('pw'), false);
  const dummy = await dummyStoredHash();
  const parametersOf = (stored: string) => stored.split('$').slice(0, 4).join('$');
  assert.equal(parametersOf(dummy), parametersOf(await hashPassword('pw')));
  assert.equal(await dummyStoredHash(), dummy, 'made once');
  // Well formed (a salt and a full-length hash), so verifying against it runs scrypt rather than failing early.
  const [, , , , salt = '', hash = ''] = dummy.split('$');
  assert.deepEqual([Buffer.from(salt, 'base64').length, Buffer.from(hash, 'base64').length], [16, 32]);
});

test('what is made once is kept, but a failure to make it is not: the next call tries again', async () => {
  let calls = 0;
  const hash = madeOnce(async () => {
    calls++;
    if (calls === 1) throw new Error('out of memory');
    return `hash-${calls}`;
  });
  await assert.rejects(hash(), /out of memory/);
  assert.equal(await hash(), 'hash-2');
  assert.equal(await hash(), 'hash-2');
  assert.equal(calls, 2);
});
