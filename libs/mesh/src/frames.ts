// Length-prefixed JSON frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. One long-lived
// connection carries many calls at once, each frame tagged with its call id, so no per-call HTTP parsing remains.

import type { RpcRequest } from './transport.js';
import type { WireError } from './wire.js';

/** The token of the HTTP/1.1 Upgrade that turns a connection into a frame stream (one port serves both). */
export const STREAM_PROTOCOL = 'douyin-rpc/1';
export const STREAM_PATH = '/rpc-stream';
/**
 * Idle time before TCP keepalive probes a stream, on both ends: a peer whose host vanished without closing (a node
 * lost, a partition) is otherwise never noticed by a side with nothing to send, which keeps the socket for good.
 */
export const STREAM_KEEPALIVE_MS = 10_000;
/**
 * The id of the reply frame a draining server sends last, before it ends the stream: no call left unanswered on the
 * stream was run, so each may go to another instance. A stream that ends without it (the process died, or dropped
 * the stream) says nothing of what ran. Calls are numbered from 1.
 */
export const GOAWAY_ID = 0;
/** A frame larger than this is a protocol error, not a reason to buffer without bound. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface CallFrame {
  id: number;
  path: string;
  type: 'query' | 'mutation';
  input: unknown;
  budgetMs: number;
  requestId: string;
  traceparent?: string;
  tracestate?: string;
}

export interface ReplyFrame {
  id: number;
  status: number;
  result?: unknown;
  error?: WireError;
}

/** A frame the other side would refuse: sent, it would end the stream and every call on it. */
export class FrameTooLargeError extends Error {
  constructor(length: number) {
    super(`frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
    this.name = 'FrameTooLargeError';
  }
}

/**
 * Throws FrameTooLargeError when `json` is more than a frame holds: a call or an answer either transport refuses alike.
 * A UTF-16 unit is at most three bytes, so a shorter text is never counted.
 */
export function assertFitsFrame(json: string): void {
  if (json.length <= MAX_FRAME_BYTES / 3) return;
  const length = Buffer.byteLength(json);
  if (length > MAX_FRAME_BYTES) throw new FrameTooLargeError(length);
}

/** Encodes one frame; throws FrameTooLargeError past MAX_FRAME_BYTES. */
export function encodeFrame(frame: CallFrame | ReplyFrame): Buffer {
  const json = JSON.stringify(frame);
  const length = Buffer.byteLength(json);
  if (length > MAX_FRAME_BYTES) throw new FrameTooLargeError(length);
  const out = Buffer.allocUnsafe(4 + length);
  out.writeUInt32BE(length, 0);
  out.write(json, 4, 'utf8');
  return out;
}

/** Encodes call `id` of `req`; throws as encodeFrame does, and TypeError for an input JSON cannot carry. */
export function encodeCall(id: number, req: RpcRequest, trace: Pick<CallFrame, 'traceparent' | 'tracestate'> = {}): Buffer {
  // Every field named, in one order: objects of one shape take JSON.stringify's fast path, where spreading the request
  // and its trace context into a new object took twice as long.
  return encodeFrame({
    id,
    path: req.path,
    type: req.type,
    input: req.input,
    budgetMs: req.budgetMs,
    requestId: req.requestId,
    traceparent: trace.traceparent,
    tracestate: trace.tracestate,
  });
}

/** Every frame, call or reply, is an object naming its call: anything else is a protocol error, not a call. */
const namesACall = (frame: unknown): frame is { id: number } =>
  typeof frame === 'object' && frame !== null && Number.isSafeInteger((frame as { id?: unknown }).id) && (frame as { id: number }).id >= 0;

/**
 * Accumulates bytes and yields every complete frame; throws on an oversized or unparsable frame, or one that names
 * no call. The chunks of a frame still arriving are kept apart and joined once it is whole: joining on every chunk
 * would copy a large frame over and over (a 16 MB frame in 64 KB reads, some 2 GB).
 */
export class FrameDecoder<T> {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Prefix and body of the frame being received, once its prefix is in; 0 before. */
  private frameBytes = 0;

  *push(chunk: Buffer): Generator<T> {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size >= 4) {
      if (this.frameBytes === 0) {
        const length = this.joined().readUInt32BE(0);
        if (length > MAX_FRAME_BYTES) throw new Error(`frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
        this.frameBytes = 4 + length;
      }
      if (this.size < this.frameBytes) return;
      const buffered = this.joined();
      const json = buffered.subarray(4, this.frameBytes).toString('utf8');
      const rest = buffered.subarray(this.frameBytes);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.frameBytes = 0;
      const frame: unknown = JSON.parse(json);
      if (!namesACall(frame)) throw new Error(`frame names no call: ${json.slice(0, 64)}`);
      yield frame as T;
    }
  }

  /** Everything buffered as one Buffer (a copy only when more than one chunk is pending). */
  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0]!;
  }
}
