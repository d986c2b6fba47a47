import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '@douyin/telemetry';
import { FrameDecoder, FrameTooLargeError, GOAWAY_ID, MAX_FRAME_BYTES, STREAM_KEEPALIVE_MS, STREAM_PATH, STREAM_PROTOCOL, encodeFrame, type CallFrame } from './frames.js';
import { FrameWriter } from './frame-writer.js';
import type { Dispatch } from './rpc-dispatch.js';
import { ANSWER_TOO_LARGE, UNENCODABLE_ANSWER } from './wire.js';

/** Answers a stream may hold unsent before it stops reading calls: a frame's worth. */
const MAX_UNSENT_BYTES = MAX_FRAME_BYTES;

interface Stream {
  socket: Socket;
  writer: FrameWriter;
  inFlight: number;
  /** The client ended its side: it sends no more calls. */
  peerEnded: boolean;
  /** The socket closed (the client went, or reset it): its running calls still run, their answers going nowhere. */
  gone: boolean;
}

/**
 * Accepts frame streams on the app's HTTP port through an HTTP/1.1 Upgrade, and drains them on close: once the
 * app is closing, new calls are refused unanswered-by-the-service (status 503, safe for the caller to send
 * elsewhere) and each stream ends after its running calls have answered.
 */
export function attachRpcStreams(app: FastifyInstance, dispatch: Dispatch, logger: Logger): void {
  const streams = new Set<Stream>();
  let closing = false;
  let drained: (() => void) | undefined;

  // A stream is let go once none of its calls runs: the app's close waits for them all (its services close their
  // database and cache after it), whether or not their answers can still be sent.
  const endIfIdle = (stream: Stream) => {
    if (stream.inFlight > 0 || !(closing || stream.peerEnded || stream.gone)) return;
    if (!stream.gone) {
      if (closing) stream.writer.write(encodeFrame({ id: GOAWAY_ID, status: 503 }));
      stream.writer.end();
    }
    streams.delete(stream);
    if (closing && streams.size === 0) drained?.();
  };

  function serveStream(socket: Socket, head: Buffer): void {
    const stream: Stream = { socket, writer: new FrameWriter(socket, 'task'), inFlight: 0, peerEnded: false, gone: false };
    streams.add(stream);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, STREAM_KEEPALIVE_MS);
    const decoder = new FrameDecoder<CallFrame>();
    const answerAll = (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) void answer(stream, frame);
      } catch (err) {
        logger.warn({ err }, 'malformed rpc frame; closing the stream');
        socket.destroy();
      }
    };
    const receive = (chunk: Buffer) => {
      if (socket.writableLength <= MAX_UNSENT_BYTES) return answerAll(chunk);
      // A client that goes on calling without reading its answers would have them pile up here without bound: its
      // next calls wait, unread, until what it was sent has gone out.
      socket.pause();
      socket.once('drain', () => {
        answerAll(chunk);
        socket.resume();
      });
    };
    // Frames the client sent right behind its upgrade request arrive with it.
    if (head.length > 0) receive(head);
    socket.on('data', receive);
    socket.on('error', () => socket.destroy());
    // An upgraded socket is the app's to end: Node leaves it half-open when the client ends (a stream retired or
    // failed), holding its descriptor until keep-alive probes find the peer gone. The calls already read still answer.
    socket.on('end', () => {
      stream.peerEnded = true;
      endIfIdle(stream);
    });
    socket.on('close', () => {
      stream.gone = true;
      endIfIdle(stream);
    });
  }

  async function answer(stream: Stream, frame: CallFrame): Promise<void> {
    if (closing) {
      // Refused, not run: the caller may send it elsewhere (once the stream has ended, the end says the same).
      stream.writer.write(encodeFrame({ id: frame.id, status: 503 }));
      return;
    }
    stream.inFlight++;
    try {
      const { status, body } = await dispatch({
        path: frame.path,
        type: frame.type === 'mutation' ? 'mutation' : 'query',
        input: frame.input,
        budgetMs: typeof frame.budgetMs === 'number' ? frame.budgetMs : Number.NaN,
        requestId: String(frame.requestId),
        traceCarrier: { traceparent: frame.traceparent, tracestate: frame.tracestate },
      });
      // One shape for every answer (JSON.stringify leaves the undefined field out), as for calls.
      stream.writer.write(encodeFrame({ id: frame.id, status, result: body.result, error: body.error }));
    } catch (err) {
      // A result JSON cannot carry (a BigInt, a cycle), or too large for a frame: the caller gets a typed error
      // instead, and the stream and its other calls live on.
      logger.error({ err, path: frame.path }, 'rpc answer could not be sent');
      stream.writer.write(encodeFrame({ id: frame.id, ...(err instanceof FrameTooLargeError ? ANSWER_TOO_LARGE : UNENCODABLE_ANSWER) }));
    } finally {
      stream.inFlight--;
      endIfIdle(stream);
    }
  }

  app.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (req.url !== STREAM_PATH || req.headers.upgrade !== STREAM_PROTOCOL || closing) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${STREAM_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`);
    serveStream(socket, head);
  });

  app.addHook('preClose', async () => {
    closing = true;
    if (streams.size === 0) return;
    const done = new Promise<void>((resolve) => (drained = resolve));
    for (const stream of [...streams]) endIfIdle(stream);
    await done;
  });
}
