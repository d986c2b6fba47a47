/// <reference path="./s3rver.d.ts" />
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

type After = { after(fn: () => unknown): void };

export interface TestS3 {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
}

/** A real S3 protocol server (s3rver) on a loopback port with one empty bucket, closed after the test. */
export async function startS3(t: After, bucket = 'douyin-test'): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'douyin-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const started = server.run();
  t.after(async () => {
    await started.then(() => server.close(), () => undefined);
    await rm(directory, { recursive: true, force: true });
  });
  const { port } = await started;
  // s3rver's built-in account.
  return { endpoint: `http://127.0.0.1:${port}`, bucket, accessKey: 'S3RVER', secretKey: 'S3RVER' };
}
