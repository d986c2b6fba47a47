import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheEnv, loadConfig, toCacheConfig } from '@douyin/config';

const Schema = CacheEnv.transform(toCacheConfig);

test('without REDIS_URL there is no cache; every miss is written back unless CACHE_ADMIT says otherwise', () => {
  assert.deepEqual(loadConfig(Schema, {}), { url: undefined, ttlSeconds: 600, admit: 'every-miss' });
  assert.deepEqual(loadConfig(Schema, { REDIS_URL: 'redis://cache:6379', CACHE_ADMIT: 'repeat-miss', CACHE_TTL_SECONDS: '5' }), {
    url: 'redis://cache:6379',
    ttlSeconds: 5,
    admit: 'repeat-miss',
  });
  assert.throws(() => loadConfig(Schema, { CACHE_ADMIT: 'sometimes' }), /CACHE_ADMIT/);
});
