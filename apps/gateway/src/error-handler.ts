import { TRPCClientError } from '@trpc/client';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { MeshErrorData } from '@douyin/mesh';
import { markOutcome } from '@douyin/metrics';
import { APK_STATUS, ApkCode, ApkError, REASON_STATUS, STATUS_MSG } from './status.js';

interface ApkStatus {
  code: ApkCode;
  msg: string;
}

const statusOf = (code: ApkCode, msg?: string): ApkStatus => ({ code, msg: msg ?? STATUS_MSG[code] ?? 'request failed' });

const isBodyTooLarge = (err: unknown) => {
  const code = (err as Partial<FastifyError> | undefined)?.code;
  return code === 'FST_ERR_CTP_BODY_TOO_LARGE' || code === 'FST_REQ_FILE_TOO_LARGE';
};

/** The one translation of any failure into the APK's status_code/status_msg. */
export function toApkStatus(err: unknown): ApkStatus {
  if (err instanceof ApkError) return statusOf(err.code, err.message);
  if (err instanceof TRPCClientError) {
    const data = err.data as MeshErrorData | undefined;
    const code = (data?.reason && REASON_STATUS[data.reason]) || (data?.code ? APK_STATUS[data.code] : ApkCode.internal);
    // Service messages are written for developers; the user gets the code's text.
    return statusOf(code);
  }
  const fastify = err as Partial<FastifyError>;
  if (isBodyTooLarge(err)) return statusOf(ApkCode.outOfRange, 'request body too large');
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return statusOf(ApkCode.malformedParam, 'malformed request');
  }
  return statusOf(ApkCode.internal);
}

/** Sends every failure as HTTP 200 with the route's zero fields, so a client that ignores status_code does not crash. */
export function apkErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const { code, msg } = toApkStatus(err);
  // The route, not the URL: the APK puts its token, and at sign-up and login the password, in the query string.
  if (code >= 50000) req.log.error({ err, reqId: req.id, route: req.routeOptions.url ?? req.url.split('?', 1)[0] }, 'request failed');
  else req.log.debug({ err, reqId: req.id }, 'request rejected');
  // HTTP says 200 for every APK failure: the metrics take the status_code instead.
  markOutcome(req, { code: String(code), outcome: code >= 50000 ? 'server_error' : 'client_error' });
  if (code === ApkCode.rateLimited && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  // The rest of a body past the limit is not read: the connection closes after this answer.
  if (isBodyTooLarge(err)) reply.header('connection', 'close');
  const zero = (req.routeOptions.config as { zero?: Record<string, unknown> } | undefined)?.zero ?? {};
  void reply.code(200).send({ ...zero, status_code: code, status_msg: msg });
}
