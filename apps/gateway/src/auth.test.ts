import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenIssuer } from '@douyin/auth';
import { createAuthenticator } from './auth.js';

const SECRET = 'auth-test-secret-that-is-long-enough-0123';

test("an optional-token route takes a gone account's valid token as no viewer, and the token's word while the user service cannot say", async () => {
  const tokens = createTokenIssuer({ secret: SECRET, ttlSeconds: 60 });
  const existing = new Set([1]);
  let userServiceDown = false;
  const auth = createAuthenticator({
    tokens,
    userExists: async (userId) => {
      if (userServiceDown) throw new Error('user service unavailable');
      return existing.has(userId);
    },
  });
  const [alive, gone] = [await tokens.issue(1), await tokens.issue(2)];

  assert.equal(await auth.viewer(alive), 1);
  assert.equal(await auth.viewer(gone), undefined);
  assert.equal(await auth.viewer('garbage'), undefined);
  userServiceDown = true;
  assert.equal(await auth.viewer(gone), 2, 'the viewer only sets flags: the page does not fail over them');
  await assert.rejects(auth.requireUser(alive), /user service unavailable/, 'a required token is not taken on its word');
});
