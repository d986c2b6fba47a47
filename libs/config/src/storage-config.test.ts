import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, DbEnv, StorageEnv, loadConfig, toStorageConfig } from '@douyin/config';

const Schema = z.object({ ...StorageEnv.shape, DATA_DIR: DbEnv.shape.DATA_DIR }).transform(toStorageConfig);

test('storage defaults to files under DATA_DIR/media', () => {
  assert.deepEqual(loadConfig(Schema, {}), { kind: 'disk', root: 'data/media' });
  assert.deepEqual(loadConfig(Schema, { STORAGE_DIR: '/srv/media' }), { kind: 'disk', root: '/srv/media' });
});

test('S3_ENDPOINT selects S3 and requires credentials', () => {
  const s3 = loadConfig(Schema, { S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's' });
  assert.equal(s3.kind, 's3');
  assert.ok(s3.kind === 's3' && s3.partSize === 8 * 1024 * 1024 && s3.bucket === 'douyin' && s3.stallMs === 15_000);
  const patient = loadConfig(Schema, { S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', S3_STALL_TIMEOUT_MS: '60000' });
  assert.ok(patient.kind === 's3' && patient.stallMs === 60_000);
  assert.throws(() => loadConfig(Schema, { S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', S3_STALL_TIMEOUT_MS: 'soon' }), /S3_STALL_TIMEOUT_MS/);
  assert.throws(() => loadConfig(Schema, { S3_ENDPOINT: 'http://minio:9000' }), ConfigError);
  assert.throws(() => loadConfig(Schema, { S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', S3_PART_SIZE: '1024' }), /S3_PART_SIZE/);
});

test('an S3 endpoint is an origin: a path, query or credentials in it would be dropped, so it is refused', () => {
  const s3 = { S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's' };
  for (const endpoint of ['http://minio:9000', 'https://cdn.example.com/', 'https://cdn.example.com:8443']) {
    assert.equal(loadConfig(Schema, { ...s3, S3_ENDPOINT: endpoint, S3_PUBLIC_ENDPOINT: endpoint }).kind, 's3', endpoint);
  }
  for (const endpoint of ['https://example.com/minio', 'http://minio:9000/douyin', 'http://minio:9000?x=1', 'http://u:p@minio:9000', 'http://:p@minio:9000', 'ftp://minio']) {
    assert.throws(() => loadConfig(Schema, { ...s3, S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_ENDPOINT: endpoint }), /S3_PUBLIC_ENDPOINT/, endpoint);
    assert.throws(() => loadConfig(Schema, { ...s3, S3_ENDPOINT: endpoint }), /S3_ENDPOINT/, endpoint);
  }
});

test('an S3 endpoint without its scheme is reported with the other configuration problems, not thrown', () => {
  for (const endpoint of ['minio', 'minio:9000']) {
    assert.throws(
      () => loadConfig(Schema, { S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', S3_ENDPOINT: endpoint }),
      (err: unknown) => err instanceof ConfigError && err.problems.join() === 'S3_ENDPOINT: must be an http:// or https:// URL, e.g. http://minio:9000',
      endpoint,
    );
  }
});
