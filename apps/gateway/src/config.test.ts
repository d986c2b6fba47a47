import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@douyin/config';
import { startApp } from '@douyin/testing';
import { GatewayEnv } from './config.js';

const METRICS_TOKEN = 'q8VhZ0xk3JtY2mWc7RnP';

test('a gateway given a placeholder JWT secret in production exits 78 naming it, with no stack trace', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'douyin-gateway-config-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const env = { NODE_ENV: 'production', METRICS_TOKEN, DATA_DIR: dataDir, JWT_SECRET: 'replace-with-at-least-32-random-characters' };
  await assert.rejects(startApp(t, 'gateway', env, { readyTimeoutMs: 20_000 }), (err: Error) => {
    assert.match(err.message, /exited with code 78 before it was ready/);
    assert.match(err.message, /JWT_SECRET: looks like a placeholder/);
    assert.doesNotMatch(err.message, /\n\s+at /, 'a configuration problem is reported, not thrown');
    return true;
  });
});

test('a stop waits out a publish: the drain follows PUBLISH_TIMEOUT_MS unless SHUTDOWN_GRACE_MS is set', () => {
  assert.equal(loadConfig(GatewayEnv, {}).service.shutdownGraceMs, 65_000);
  assert.equal(loadConfig(GatewayEnv, { PUBLISH_TIMEOUT_MS: '120000' }).service.shutdownGraceMs, 125_000);
  assert.equal(loadConfig(GatewayEnv, { PUBLISH_TIMEOUT_MS: '120000', SHUTDOWN_GRACE_MS: '15000' }).service.shutdownGraceMs, 15_000);
});

test('PUBLIC_BASE_URL without http:// or https:// is refused: every play_url and cover_url would be built on it', () => {
  assert.throws(() => loadConfig(GatewayEnv, { PUBLIC_BASE_URL: 'localhost:8080' }), /PUBLIC_BASE_URL: must be an http:\/\/ or https:\/\/ URL, e.g. http:\/\/192\.168\.1\.20:8080/);
  assert.equal(loadConfig(GatewayEnv, { PUBLIC_BASE_URL: 'https://api.example.com/' }).video.publicBaseUrl, 'https://api.example.com');
});
