import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createS3Store, type ObjectStore } from '@douyin/storage';
import { freshDatabase, mediaFixtures, startPartitionProxy, startS3, type PartitionProxy, type TestS3 } from '@douyin/testing';
import { multipartBody } from '../test/multipart.js';
import { apk, startLocalMesh, succeeded, until, type ApkBody } from '../test/processes.js';

const GATEWAY_STALL_MS = 1_000;
const PUBLISH_TIMEOUT_MS = 4_000;
// Longer than the test waits for anything: what ends the video service's requests below is the call's deadline.
const VIDEO_STALL_MS = 60_000;

const s3Env = (s3: TestS3, proxy: PartitionProxy, stallMs: number) => ({
  S3_ENDPOINT: proxy.url.replace(/\/$/, ''),
  S3_BUCKET: s3.bucket,
  S3_ACCESS_KEY: s3.accessKey,
  S3_SECRET_KEY: s3.secretKey,
  S3_STALL_TIMEOUT_MS: String(stallMs),
});

const stagedUploads = (store: ObjectStore) => store.removeOlderThan('staging', new Date(Date.now() + 60_000));

// MinIO goes silent (a partition, a paused host) while the mesh serves: for the gateway's uploads, then for the
// video service's publishes. Each proxy stands between one process and the one S3 server (s3rver), so each cut
// silences the store for that process alone.
test('storage silent: uploads and publishes fail with a clear code in bounded time, nothing is left behind, recovery once it answers', { timeout: 120_000 }, async (t) => {
  const [db, s3, fixtures] = await Promise.all([freshDatabase(t, 'sqlite'), startS3(t), mediaFixtures(t)]);
  const [gatewayPath, videoPath] = await Promise.all([startPartitionProxy(t, s3.endpoint, 80), startPartitionProxy(t, s3.endpoint, 80)]);
  const mesh = await startLocalMesh(t, db, ['user', 'video'], {
    perApp: {
      gateway: { ...s3Env(s3, gatewayPath, GATEWAY_STALL_MS), PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS) },
      video: s3Env(s3, videoPath, VIDEO_STALL_MS),
    },
  });
  const direct = createS3Store({ ...s3, region: 'us-east-1', partSize: 5 * 1024 * 1024, stallMs: 10_000 });
  const { token } = await succeeded(apk(mesh.gateway).register('maker', 'secret1'));
  const publish = async (title: string): Promise<ApkBody & { took: number }> => {
    const started = Date.now();
    const form = multipartBody([{ name: 'token', value: token! }, { name: 'title', value: title }, { name: 'data', value: fixtures.mp4, filename: 'x.mp4' }]);
    const res = await fetch(`${mesh.gateway.url}/douyin/publish/action/`, { method: 'POST', body: form.payload, headers: form.headers, signal: AbortSignal.timeout(30_000) });
    assert.equal(res.status, 200);
    return { ...((await res.json()) as ApkBody), took: Date.now() - started };
  };
  const feedTitles = async () => {
    const res = await fetch(`${mesh.gateway.url}/douyin/feed/`);
    return ((await res.json()) as { video_list: Array<{ title: string }> }).video_list.map((video) => video.title).sort();
  };
  await succeeded(publish('before'));

  // The gateway's store is silent: the upload is given up at its stall bound and said to be the store's fault.
  gatewayPath.cut();
  const refused = await publish('during the gateway cut');
  assert.equal(refused.status_code, 50302, JSON.stringify(refused));
  // The stall bound twice (the upload, then the delete of what it staged) and the rest of the work around them.
  assert.ok(refused.took < 2 * GATEWAY_STALL_MS + 3_000, `answered after ${refused.took} ms`);
  assert.deepEqual(await feedTitles(), ['before'], 'the feed needs no request to the store (its URLs are signed here)');
  await until('the gateway to reset what it gave up on', () => gatewayPath.resets() >= 1);
  gatewayPath.heal();

  // The video service's store is silent: its requests end at the publish call's deadline, long before its stall bound.
  videoPath.cut();
  const timedOut = await publish('during the video cut');
  assert.notEqual(timedOut.status_code, 0, JSON.stringify(timedOut));
  assert.ok(timedOut.status_msg);
  assert.ok(timedOut.took < PUBLISH_TIMEOUT_MS + 3_000, `answered after ${timedOut.took} ms`);
  await until('the video service to give its request up at the deadline', () => videoPath.resets() >= 1, 3_000);
  for (const app of [mesh.gateway, ...mesh.services.values()]) assert.equal((await fetch(`${app.url}/healthz`)).status, 200, `${app.app} is still serving`);
  videoPath.heal();

  await succeeded(publish('after'));
  assert.deepEqual(await feedTitles(), ['after', 'before']);
  // Neither failed publish left its upload staged: the gateway deleted what the video service could not reach.
  assert.equal(await stagedUploads(direct), 0);
});
