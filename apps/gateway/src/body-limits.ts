import type { IncomingMessage } from 'node:http';
import type { FastifyContentTypeParser, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import { markCut, metricsFor } from '@douyin/metrics';
import { answerRaw } from './client-error.js';
import { ApkCode } from './status.js';

/**
 * Reads and discards a body no route uses (JSON, plain text, bytes): the parameters come from the query string.
 * Past `limit` bytes it is refused as a form would be, and the connection closes after the answer (see
 * apkErrorHandler) instead of draining gigabytes nobody reads.
 */
export function discardingParser(limit: number): FastifyContentTypeParser {
  return (req, payload, done) => {
    if (Number(req.headers['content-length']) > limit) {
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), undefined);
      return;
    }
    let received = 0;
    let settled = false;
    // Once: an error (the client gone) may still follow the refusal of a body past the limit.
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      done(err, undefined);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) return;
      payload.off('data', onData).pause();
      finish(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    };
    payload.on('data', onData).once('end', () => finish(null)).on('error', finish);
  };
}

const MULTIPART = /^multipart\/form-data\s*(;|$)/i;

/** The slowest an upload may arrive: on average `bytesPerSecond`, counted once its first `graceMs` have passed. */
export interface UploadRateFloor {
  bytesPerSecond: number;
  graceMs: number;
}

export interface BodyTimeLimits {
  /** How long a body other than an upload may take to arrive. */
  timeoutMs: number;
  uploadRoute: string;
  /** Absent: an upload is bounded by Node's request timeout alone. */
  uploadFloor?: UploadRateFloor;
}

// An answer already on its way (a refusal that did not wait for the body) only loses its connection.
function cutShort(req: FastifyRequest, reply: FastifyReply, reason: 'body_timeout' | 'upload_too_slow', msg: string): void {
  req.log.info({ reqId: req.id, client: req.ip }, msg);
  metricsFor('gateway').connectionsCut.inc({ reason });
  markCut(req.raw.socket, { code: String(ApkCode.malformedParam), outcome: 'client_error' });
  // HTTP 200 like every APK answer (contract §8.1): the APK reads status_msg only from a 2xx.
  if (!reply.raw.headersSent) answerRaw(req.raw.socket, '200 OK', ApkCode.malformedParam, msg);
  req.raw.socket.destroy();
}

/**
 * A body, other than a multipart upload on `uploadRoute`, must arrive within `timeoutMs` of its request: Node's own
 * limit is sized for the largest upload (minutes), and a client sending a byte now and then would otherwise hold a
 * form of up to 4 MiB in memory for as long, as many times over as it opens connections. (An urlencoded body on the
 * upload route is parsed whole before the route, and its upload slots, ever see it.) An upload must keep to
 * `uploadFloor` instead (see watchUploadRate).
 */
export function limitBodyTime(app: FastifyInstance, { timeoutMs, uploadRoute, uploadFloor }: BodyTimeLimits): void {
  app.addHook('onRequest', (req, reply, done) => {
    const raw = req.raw;
    const hasBody = raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length']) > 0;
    if (!hasBody || raw.complete) return done();
    // The multipart plugin marks its requests only once their body is being parsed: the header tells here.
    if (MULTIPART.test(raw.headers['content-type'] ?? '') && req.routeOptions.url === uploadRoute) {
      if (uploadFloor) watchUploadRate(req, reply, uploadFloor);
      return done();
    }
    const timer = setTimeout(() => {
      if (raw.complete || raw.socket.destroyed) return;
      cutShort(req, reply, 'body_timeout', 'request not received in time');
    }, timeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    raw.once('end', clear).once('close', clear);
    done();
  });
}

const RATE_CHECK_MS = 1_000;

/**
 * Closes an upload that arrives slower than `floor`: the upload slots bound how many are received at once, so one
 * trickling in would hold its slot (and its S3 parts in memory) for all of Node's request timeout, minutes, and a few
 * clients could keep everyone else's uploads refused for as long. Time the gateway spends not reading (the store
 * taking a part) is not the client's and is not counted; nor are the bytes of a request before this one on the
 * connection.
 */
function watchUploadRate(req: FastifyRequest, reply: FastifyReply, floor: UploadRateFloor): void {
  const raw = req.raw;
  const socket = raw.socket;
  const bytesBefore = socket.bytesRead;
  let clientMs = 0;
  // The parser pauses the body whenever the store is behind: a second in which it did was (partly) the gateway's.
  let pausedSinceTick = false;
  const paused = () => void (pausedSinceTick = true);
  const timer = setInterval(() => {
    if (raw.complete || socket.destroyed) return stop();
    const gatewayWaited = pausedSinceTick || raw.isPaused() || raw.readableLength > 0;
    pausedSinceTick = false;
    if (gatewayWaited) return;
    clientMs += RATE_CHECK_MS;
    const owed = (floor.bytesPerSecond * (clientMs - floor.graceMs)) / 1000;
    if (socket.bytesRead - bytesBefore >= owed) return;
    stop();
    cutShort(req, reply, 'upload_too_slow', `upload too slow: under ${floor.bytesPerSecond} bytes a second`);
  }, RATE_CHECK_MS);
  timer.unref();
  const stop = () => (clearInterval(timer), raw.off('pause', paused));
  raw.on('pause', paused).once('end', stop).once('close', stop);
}

/** How much of an upload refused before it was read (no slot, no tokens left) is read, only to be dropped, before its connection closes. */
export const REFUSED_UPLOAD_READ_BYTES = 16 * 1024 * 1024;

/**
 * Refused mid-body (a bad token, a field too long): the rest of the body is read and discarded, away from the parser
 * that would wait on parts nobody reads, so the connection goes on to the client's next request, which a client that
 * sends its whole body before reading the answer needs to see it. Up to `maxBytes` only: past that, as for a body
 * past the size limit, the connection is closed.
 */
export function discardRest(raw: IncomingMessage, maxBytes: number): void {
  let left = maxBytes;
  raw.unpipe();
  raw.on('data', (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) raw.destroy();
  });
  raw.resume();
}
