import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { blocksOf } from './blocks.js';
import { boundedTransport, type RequestBounds } from './bounded-transport.js';
import { IMMUTABLE_CACHE_CONTROL, assertValidKey, assertValidPrefix, contentTypeOf, isValidKey, ObjectNotFoundError, StorageUnavailableError, type ObjectInfo, type ObjectStore } from './object-store.js';

export interface S3StoreConfig {
  /** e.g. http://minio:9000, as this process reaches it */
  endpoint: string;
  /** The address phones reach, which presigned URLs embed (the signature covers the host); default `endpoint`. */
  publicEndpoint?: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  region: string;
  /** Bytes per multipart part (S3 minimum 5 MiB); an object that fits in one part goes up as one PUT. */
  partSize: number;
  /** How long a request may go with nothing moving before the store counts as unreachable (RequestBounds). */
  stallMs: number;
}

/** Bounds from the calls a store serves: `deadline` reads the deadline of the one being served (see RequestBounds). */
export interface S3StoreOptions {
  deadline?: RequestBounds['deadline'];
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchObject']);
const isMissing = (err: unknown) => NOT_FOUND.has(String((err as { code?: unknown }).code));

function clientFor(endpoint: string, config: S3StoreConfig, options: S3StoreOptions): Client {
  const url = new URL(endpoint);
  const useSSL = url.protocol === 'https:';
  return new Client({
    transport: boundedTransport(useSSL ? 'https:' : 'http:', { deadline: options.deadline, stallMs: config.stallMs }),
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    // A known region means presigning needs no round trip to ask the bucket for it.
    region: config.region,
    pathStyle: true,
    partSize: config.partSize,
  });
}

/**
 * The headers an object is stored with, which a presigned GET answers with: the key decides its type, and it may be
 * cached for good (contract §7), as the gateway's media routes say of the objects they serve.
 */
const headersFor = (key: string) => ({ 'Content-Type': contentTypeOf(key), 'Cache-Control': IMMUTABLE_CACHE_CONTROL });

const unavailable = (action: string, key: string, err: unknown) =>
  new StorageUnavailableError(`object store could not ${action} ${key}`, { cause: err });

/**
 * Objects in an S3 bucket through the `minio` client (MinIO in production). Every request is bounded (RequestBounds):
 * by `options.deadline` in a service that serves calls, and by the store's silence everywhere.
 */
export function createS3Store(config: S3StoreConfig, options: S3StoreOptions = {}): ObjectStore {
  const client = clientFor(config.endpoint, config, options);
  const signer = config.publicEndpoint ? clientFor(config.publicEndpoint, config, options) : client;
  const { bucket } = config;

  async function statOf(key: string): Promise<ObjectInfo | undefined> {
    assertValidKey(key);
    try {
      const s = await client.statObject(bucket, key);
      return { size: s.size, etag: `"${s.etag}"`, contentType: contentTypeOf(key) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw unavailable('stat', key, err);
    }
  }

  // Parts are uploaded one at a time as they fill, so memory stays near two parts whatever the object's size.
  // s3rver (the test server) answers NotImplemented to multipart calls, so this path runs only against MinIO/S3.
  async function putMultipart(key: string, head: Buffer[], tail: AsyncIterator<Buffer>): Promise<void> {
    const nextBlock = async (): Promise<Buffer | undefined> => {
      const buffered = head.shift();
      if (buffered) return buffered;
      const next = await tail.next(); // the body's own error surfaces here, unwrapped
      return next.done ? undefined : next.value;
    };
    const uploadId = await client.initiateNewMultipartUpload(bucket, key, headersFor(key)).catch((err: unknown) => {
      throw unavailable('start a multipart upload of', key, err);
    });
    const parts: Array<{ part: number; etag: string }> = [];
    try {
      for (let block = await nextBlock(); block; block = await nextBlock()) {
        const part = parts.length + 1;
        const md5 = createHash('md5').update(block).digest('base64');
        const res = await client
          .makeRequestAsyncOmit(
            { method: 'PUT', bucketName: bucket, objectName: key, query: `partNumber=${part}&uploadId=${uploadId}`, headers: { 'Content-Length': block.length, 'Content-MD5': md5 } },
            block,
          )
          .catch((err: unknown) => {
            throw unavailable(`upload part ${part} of`, key, err);
          });
        parts.push({ part, etag: String(res.headers.etag ?? '').replace(/^"|"$/g, '') });
      }
      await client.completeMultipartUpload(bucket, key, uploadId, parts).catch((err: unknown) => {
        throw unavailable('complete the upload of', key, err);
      });
    } catch (err) {
      // An aborted upload frees its parts; without this they would linger, invisible but stored.
      await client.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
      throw err;
    }
  }

  return {
    kind: 's3',

    async prepare() {
      try {
        if (await client.bucketExists(bucket)) return;
        await client.makeBucket(bucket, config.region).catch(async (err: unknown) => {
          // Another replica starting at the same moment made it between the check and here.
          if (!(await client.bucketExists(bucket))) throw err;
        });
      } catch (err) {
        throw new StorageUnavailableError(`object store bucket ${bucket} is not usable`, { cause: err });
      }
    },

    async put(key, body: Readable) {
      assertValidKey(key);
      const blocks = blocksOf(body, config.partSize);
      try {
        const first = await blocks.next();
        const second = first.done ? first : await blocks.next();
        if (second.done) {
          const whole = first.done ? Buffer.alloc(0) : first.value;
          await client.putObject(bucket, key, whole, whole.length, headersFor(key)).catch((err: unknown) => {
            throw unavailable('write', key, err);
          });
        } else {
          await putMultipart(key, [first.value as Buffer, second.value], blocks);
        }
      } finally {
        // When the store failed first, this stops reading the body (the generator destroys it).
        await blocks.return(undefined);
      }
      const info = await statOf(key);
      if (!info) throw unavailable('find the written object', key, new Error('missing after upload'));
      return info;
    },

    stat: statOf,

    async get(key, range) {
      assertValidKey(key);
      try {
        return range
          ? await client.getPartialObject(bucket, key, range.start, range.end - range.start + 1)
          : await client.getObject(bucket, key);
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw unavailable('read', key, err);
      }
    },

    async delete(key) {
      assertValidKey(key);
      await client.removeObject(bucket, key).catch((err: unknown) => {
        if (!isMissing(err)) throw unavailable('delete', key, err);
      });
    },

    async presignGet(key, ttlSeconds, signedAt) {
      assertValidKey(key);
      return signer.presignedGetObject(bucket, key, ttlSeconds, {}, signedAt);
    },

    async move(from, to) {
      assertValidKey(from);
      assertValidKey(to);
      // The key decides the headers, so the copy replaces the source's instead of keeping them.
      const destination = new CopyDestinationOptions({ Bucket: bucket, Object: to, MetadataDirective: 'REPLACE', Headers: headersFor(to) });
      await client.copyObject(new CopySourceOptions({ Bucket: bucket, Object: from }), destination).catch((err: unknown) => {
        if (isMissing(err)) throw new ObjectNotFoundError(from);
        throw unavailable('copy', `${from} to ${to}`, err);
      });
      // The copy is what the move is for: a source that could not be deleted after it is left to whoever removes
      // staged objects (the publish deletes its staged upload again, and the sweep takes what is a day old). Failing
      // here made a publish that had its video delete it and ask the phone for the whole upload again.
      await client.removeObject(bucket, from).catch(() => undefined);
      const info = await statOf(to);
      if (!info) throw unavailable('find the moved object', to, new Error('missing after copy'));
      return info;
    },

    localPath: () => undefined,

    // Parts of multipart uploads that never completed are not objects: MinIO deletes them after a day itself
    // (stale_uploads_expiry); on AWS S3 a lifecycle rule (AbortIncompleteMultipartUpload) does, as the README says.
    async removeOlderThan(prefix, before) {
      assertValidPrefix(prefix);
      let removed = 0;
      try {
        for await (const item of client.listObjectsV2(bucket, `${prefix}/`, true) as AsyncIterable<{ name?: string; lastModified?: Date }>) {
          const key = item.name ?? '';
          if (!isValidKey(key) || !item.lastModified || item.lastModified >= before) continue;
          await client.removeObject(bucket, key).catch((err: unknown) => {
            if (!isMissing(err)) throw err;
          });
          removed += 1;
        }
      } catch (err) {
        throw unavailable('remove old objects under', `${prefix}/`, err);
      }
      return removed;
    },
  };
}
