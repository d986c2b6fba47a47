import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@douyin/config';
import { VideoEnv } from './config.js';

test("a stop waits out a publish: the drain follows the gateway's PUBLISH_TIMEOUT_MS unless SHUTDOWN_GRACE_MS is set", () => {
  assert.equal(loadConfig(VideoEnv, {}).service.shutdownGraceMs, 65_000);
  assert.equal(loadConfig(VideoEnv, { PUBLISH_TIMEOUT_MS: '120000' }).service.shutdownGraceMs, 125_000);
  assert.equal(loadConfig(VideoEnv, { PUBLISH_TIMEOUT_MS: '120000', SHUTDOWN_GRACE_MS: '15000' }).service.shutdownGraceMs, 15_000);
});

test('a media time limit past what a Node timer holds is refused: ffmpeg would be killed after 1 ms', () => {
  assert.equal(loadConfig(VideoEnv, { MEDIA_TIMEOUT_MS: '2147483647' }).media.timeoutMs, 2_147_483_647);
  assert.throws(() => loadConfig(VideoEnv, { MEDIA_TIMEOUT_MS: '9999999999' }), (err: unknown) => err instanceof ConfigError && /MEDIA_TIMEOUT_MS: at most 2147483647 ms/.test(err.message));
});
