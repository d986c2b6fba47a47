import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { TokenError, createTokenIssuer, type TokenErrorReason } from '@douyin/auth';

const secret = 'k'.repeat(16) + 'x'.repeat(16);
const rejectsWith = (promise: Promise<unknown>, reason: TokenErrorReason) =>
  assert.rejects(promise, (err) => err instanceof TokenError && err.reason === reason);

test('a token carries the user id', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  assert.equal(await issuer.verify(await issuer.issue(42)), 42);
  assert.equal(await issuer.verify(await issuer.issue(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
});

test('a token expires after its ttl', async () => {
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const issuer = createTokenIssuer({ secret, ttlSeconds: 1, now: () => clock });
  const token = await issuer.issue(7);
  assert.equal(await issuer.verify(token), 7);
  clock += 1_000;
  await rejectsWith(issuer.verify(token), 'expired');
});

test('a tampered token or one signed with another secret is invalid', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  const token = await issuer.issue(7);
  const [header, , signature] = token.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ sub: '1', iat: 0, exp: 4e9 })).toString('base64url');
  await rejectsWith(issuer.verify(`${header}.${forgedPayload}.${signature}`), 'invalid');
  const other = createTokenIssuer({ secret: `${secret}-other`, ttlSeconds: 60 });
  await rejectsWith(other.verify(token), 'invalid');
});

test('an unsigned ("alg": "none") token is invalid', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  await rejectsWith(issuer.verify(`${part({ alg: 'none' })}.${part({ sub: '1', iat: 0, exp: 4e9 })}.`), 'invalid');
});

test('garbage is malformed', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  for (const token of ['', 'abc', 'a.b.c', 'Bearer x.y.z']) await rejectsWith(issuer.verify(token), 'malformed');
});

test('a correctly signed token whose sub is not a user id is invalid', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  const key = new TextEncoder().encode(secret);
  for (const sub of ['0', '-1', '9007199254740992', '1e3', '007', 'alice']) {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('1m').sign(key);
    await rejectsWith(issuer.verify(token), 'invalid');
  }
});

test('issuing for an id outside 1..2^53-1 is refused', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  for (const id of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN]) await assert.rejects(issuer.issue(id), RangeError);
});
