import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@douyin/config';
import { VideoEnv } from './config.js';

test("a stop waits out a publish: the drain follows the gateway's PUBLISH_TIMEOUT_MS unless SHUTDOWN_GRACE_MS is set", () => {
  assert.equal(loadConfig(VideoEnv, {}).service.shutdownGraceMs, 65_000);
  assert.equal(loadConfig(VideoEnv, { PUBLISH_TIMEOUT_MS: '120000' }).service.shutdownGraceMs, 125_000);
  assert.equal(loadConfig(VideoEnv, { PUBLISH_TIMEOUT_MS: '120000', SHUTDOWN_GRACE_MS: '15000' }).service.shutdownGraceMs, 15_000);
});
