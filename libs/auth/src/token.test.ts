import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { TokenError, createTokenIssuer, type TokenErrorReason } from '@douyin/auth';

const secret = 'k'.repeat(16) + 'x'.repeat(16);
const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A JWT built by hand with node:crypto, as any other library would sign it. */
const signed = (header: object, payload: unknown, key = secret, hash = 'sha256') => {
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
};
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;
const rejectsWith = (promise: Promise<unknown>, reason: TokenErrorReason) =>
  assert.rejects(promise, (err) => err instanceof TokenError && err.reason === reason);

test('a token carries the user id', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  assert.equal(await issuer.verify(await issuer.issue(42)), 42);
  assert.equal(await issuer.verify(await issuer.issue(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
});

test("a token's session says until when it holds: its exp, in ms", async () => {
  const issuedAt = Date.parse('2025-01-01T00:00:00.700Z');
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60, now: () => issuedAt });
  assert.deepEqual(await issuer.verifySession(await issuer.issue(42)), { userId: 42, expiresAtMs: Date.parse('2025-01-01T00:01:00Z') });
  await rejectsWith(issuer.verifySession(signed({ alg: 'HS256', typ: 'JWT' }, { sub: '42', iat: 1, exp: 'soon' })), 'invalid');
});

test('a token longer than any the issuer signs is malformed, never decoded', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  const padded = signed({ alg: 'HS256', typ: 'JWT' }, { sub: '42', iat: 1, exp: inAMinute(), pad: 'x'.repeat(2000) });
  await rejectsWith(issuer.verify(padded), 'malformed');
  assert.ok((await issuer.issue(Number.MAX_SAFE_INTEGER)).length < 300);
});

test('a token expires after its ttl', async () => {
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const issuer = createTokenIssuer({ secret, ttlSeconds: 1, now: () => clock });
  const token = await issuer.issue(7);
  assert.equal(await issuer.verify(token), 7);
  clock += 999;
  assert.equal(await issuer.verify(token), 7);
  clock += 2;
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

test('a token signed elsewhere with the secret verifies: those issued before this library (no typ header) too', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  assert.equal(await issuer.verify(signed({ alg: 'HS256' }, { sub: '42', iat: 0, exp: inAMinute() })), 42);
  assert.equal(await issuer.verify(signed({ alg: 'HS256', typ: 'JWT' }, { sub: '43', iat: 0, exp: inAMinute() })), 43);
});

test('another algorithm, a missing claim, a future nbf or a critical extension is invalid', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  const claims = { sub: '7', iat: 0, exp: inAMinute() };
  await rejectsWith(issuer.verify(signed({ alg: 'HS512' }, claims, secret, 'sha512')), 'invalid');
  for (const missing of ['sub', 'iat', 'exp'] as const) {
    const { [missing]: _, ...rest } = claims;
    await rejectsWith(issuer.verify(signed({ alg: 'HS256' }, rest)), 'invalid');
  }
  await rejectsWith(issuer.verify(signed({ alg: 'HS256' }, { ...claims, exp: String(claims.exp) })), 'invalid');
  await rejectsWith(issuer.verify(signed({ alg: 'HS256' }, { ...claims, nbf: inAMinute() })), 'invalid');
  await rejectsWith(issuer.verify(signed({ alg: 'HS256', crit: ['b64'], b64: false }, claims)), 'invalid');
});

test('an unsigned ("alg": "none") token is invalid', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  await rejectsWith(issuer.verify(`${part({ alg: 'none' })}.${part({ sub: '1', iat: 0, exp: 4e9 })}.`), 'invalid');
});

test('garbage is malformed', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  for (const token of ['', 'abc', 'a.b.c', 'Bearer x.y.z', signed({ alg: 'HS256' }, 'a string, not claims'), signed({ alg: 'HS256' }, [1])]) {
    await rejectsWith(issuer.verify(token), 'malformed');
  }
});

test('a correctly signed token whose sub is not a user id is invalid', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  for (const sub of ['0', '-1', '9007199254740992', '1e3', '007', 'alice', 7]) {
    await rejectsWith(issuer.verify(signed({ alg: 'HS256' }, { sub, iat: 0, exp: inAMinute() })), 'invalid');
  }
});

test('issuing for an id outside 1..2^53-1 is refused', async () => {
  const issuer = createTokenIssuer({ secret, ttlSeconds: 60 });
  for (const id of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN]) await assert.rejects(issuer.issue(id), RangeError);
});
