import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisCommandWithoutValues } from './statements.js';

test('a Redis statement names the command and its first key, never the values', () => {
  const writeBack = ['0a1b2c', 1, 'user:profile:7', 60, '', '{"name":"alice","signature":"secret"}'];
  const statement = redisCommandWithoutValues('evalsha', writeBack);
  assert.equal(statement, 'evalsha 0a1b2c [5 other arguments]');
  assert.doesNotMatch(statement, /alice|secret/);
  assert.equal(redisCommandWithoutValues('mget', ['user:profile:7']), 'mget user:profile:7');
  assert.equal(redisCommandWithoutValues('set', [Buffer.from('k'), 'v']), 'set ? [1 other arguments]');
  assert.equal(redisCommandWithoutValues('multi', []), 'multi');
  assert.equal(redisCommandWithoutValues('auth', ['s3cret']), 'auth [1 arguments]');
  assert.equal(redisCommandWithoutValues('AUTH', ['default', 's3cret']), 'AUTH [2 arguments]');
});
