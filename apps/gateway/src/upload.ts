import { Transform, pipeline, type Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { metricsFor } from '@douyin/metrics';
import { StorageUnavailableError, newKey, type ObjectStore } from '@douyin/storage';
import { discardRest } from './body-limits.js';
import { addAll, collectParams, isJsonPart, multipartFieldAdder, newParams, type Params } from './params.js';
import { ApkCode, ApkError } from './status.js';

/** The multipart file part that carries the video (contract §4.5); other file parts are read and ignored. */
const FILE_FIELD = 'data';

export interface UploadForm {
  params: Params;
  /** The staging key the `data` part was streamed to, if there was one. */
  stagingKey?: string;
}

export interface UploadOptions {
  store: Pick<ObjectStore, 'put' | 'delete'>;
  maxBytes: number;
  /** Runs when the file part begins, with the parameters seen so far: a bad token known by then stores nothing. */
  beforeFile(params: Params): Promise<void>;
}

class UploadTooLarge extends Error {}

/** The route's own check before the file failed (the user service, asked about the token's user, say): not the upload's. */
class RefusedBeforeFile {
  constructor(readonly reason: unknown) {}
}

/**
 * The bytes of a form's file parts, all of them against one limit: the `data` part is metered on its way to the store,
 * any other file part read and dropped, and the upload fails at the first byte past the limit, whichever part carries
 * it. Counting the video alone, a form could carry 64 parts of MAX_UPLOAD_BYTES beside it.
 */
function fileBytesBudget(maxBytes: number) {
  let seen = 0;
  const uploadBytes = metricsFor('gateway').uploadBytes;
  const take = (bytes: number) => {
    seen += bytes;
    uploadBytes.inc(bytes);
    return seen > maxBytes ? new UploadTooLarge() : null;
  };
  return {
    /** Passes a part's bytes on, failing as soon as the form carries one byte more than allowed. */
    meter: () =>
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          done(take(chunk.length), chunk);
        },
      }),
    /** Reads a part to its end and drops it, failing as the meter does. */
    async drain(file: Readable): Promise<void> {
      for await (const chunk of file as AsyncIterable<Buffer>) {
        const tooLarge = take(chunk.length);
        if (tooLarge) throw tooLarge;
      }
    },
    seen: () => seen,
  };
}

/**
 * The `data` part is the file whatever its headers (contract §4.5 ignores its filename and Content-Type), where
 * busboy would read a part without a filename as a text field; other parts keep busboy's rule, JSON parts aside.
 */
const isPartAFile = (fieldName: string | undefined, contentType: string | undefined, fileName: string | undefined) =>
  fieldName === FILE_FIELD || contentType === 'application/octet-stream' || isJsonPart(contentType) || fileName !== undefined;

/**
 * Reads a publish form: fields join the query parameters (query first), and the `data` part is streamed into the
 * store under a new staging key, never held in memory; reading stops once the file parts carry more than `maxBytes`
 * (40006). On any failure the
 * staged object is gone before this throws.
 */
export async function readUploadForm(req: FastifyRequest, { store, maxBytes, beforeFile }: UploadOptions): Promise<UploadForm> {
  if (!req.isMultipart()) return { params: await collectParams(req) };
  // A client gone before the form is read (its hooks took long, or it was cut for slowness): a multipart parser started
  // on the closed request would wait for ever, and so would the upload slot taken for it.
  if (req.raw.destroyed) throw new ApkError(ApkCode.malformedParam, 'malformed or interrupted upload');
  const params = newParams();
  addAll(params, req.query);
  const addField = multipartFieldAdder(params);
  let stagingKey: string | undefined;
  const budget = fileBytesBudget(maxBytes);
  try {
    // One byte over the limit reaches the budget, which fails the upload; busboy would only truncate quietly.
    for await (const part of req.parts({ limits: { fileSize: maxBytes + 1 }, isPartAFile })) {
      if (part.type === 'field') {
        addField(part);
      } else if (part.fieldname !== FILE_FIELD || stagingKey !== undefined) {
        await budget.drain(part.file);
      } else {
        await beforeFile(params).catch((err: unknown) => Promise.reject(new RefusedBeforeFile(err)));
        stagingKey = newKey('staging');
        const before = budget.seen();
        await store.put(stagingKey, pipeline(part.file, budget.meter(), () => undefined) as Readable);
        // An empty value is an absent one (contract §1): no file is 40001, not "not a video".
        if (budget.seen() === before) {
          const empty = stagingKey;
          stagingKey = undefined;
          // Left behind, an empty object is the abandoned-upload sweep's; the answer stays "data is required".
          await store.delete(empty).catch(() => undefined);
        }
      }
    }
    return { params, stagingKey };
  } catch (err) {
    if (stagingKey !== undefined) await store.delete(stagingKey).catch(() => undefined);
    const refusal = asApkError(err, maxBytes);
    if (!(refusal instanceof ApkError && refusal.code === ApkCode.uploadTooLarge)) discardRest(req.raw, maxBytes);
    throw refusal;
  }
}

function asApkError(err: unknown, maxBytes: number): unknown {
  if (err instanceof RefusedBeforeFile) return err.reason;
  if (err instanceof ApkError) return err;
  if (err instanceof UploadTooLarge || (err as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') {
    const MiB = 1024 * 1024;
    const limit = maxBytes >= MiB ? `${Math.round(maxBytes / MiB)} MiB` : `${maxBytes} bytes`;
    return new ApkError(ApkCode.uploadTooLarge, `the video is larger than the ${limit} limit`);
  }
  if (err instanceof StorageUnavailableError) return new ApkError(ApkCode.storageUnavailable, 'storage unavailable, please retry later');
  // A client that hung up mid-upload or a broken body: the multipart parser reports both as plain errors.
  return new ApkError(ApkCode.malformedParam, 'malformed or interrupted upload');
}
