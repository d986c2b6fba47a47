import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { markCut } from '@douyin/metrics';
import { ApkCode } from './status.js';

/** Writes an APK answer straight to a socket, for a request Fastify cannot answer (unparsable, or its body late); the connection closes after it. */
export const answerRaw = (socket: Socket, httpStatus: string, code: ApkCode, msg: string) => {
  const body = JSON.stringify({ status_code: code, status_msg: msg });
  socket.write(
    `HTTP/1.1 ${httpStatus}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
  );
};

/**
 * Answers a request Node could not parse, which no route ever sees, in the APK's shape. The APK sends every
 * parameter in the query string, so a request line and headers past Node's 16 KiB carry text far beyond any limit
 * of the contract (a 1,000-code-point message is at most 12 KB encoded): 40003 in an HTTP 200, as the route would
 * have answered; a request not received within Node's time is the phone's slow link: 40002 in an HTTP 200 (§8.1).
 * Anything else unparsable was never an APK request: 40002 with its HTTP status.
 */
export function apkClientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset socket is gone: nothing to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // Code and message only: Node attaches the raw bytes (rawPacket), where the APK's token and password travel.
  this.log.debug({ code: err.code, reason: err.message }, 'unparsable request');
  if (socket.writable) {
    if (err.code === 'HPE_HEADER_OVERFLOW') answerRaw(socket, '200 OK', ApkCode.outOfRange, 'request too long: parameters exceed the allowed length');
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // Its headers arrived, so its route counts it: by this answer, not as a client that left.
      markCut(socket, { code: String(ApkCode.malformedParam), outcome: 'client_error' });
      answerRaw(socket, '200 OK', ApkCode.malformedParam, 'request not received in time');
    }
    else answerRaw(socket, '400 Bad Request', ApkCode.malformedParam, 'malformed HTTP request');
  }
  socket.destroy(err);
}
