// Length-prefixed JSON frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. One long-lived
// connection carries many calls at once, each frame tagged with its call id, so no per-call HTTP parsing remains.

import type { WireError } from './wire.js';

/** The token of the HTTP/1.1 Upgrade that turns a connection into a frame stream (one port serves both). */
export const STREAM_PROTOCOL = 'douyin-rpc/1';
export const STREAM_PATH = '/rpc-stream';
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

/** Encodes one frame. */
export function encodeFrame(frame: CallFrame | ReplyFrame): Buffer {
  const json = JSON.stringify(frame);
  const length = Buffer.byteLength(json);
  const out = Buffer.allocUnsafe(4 + length);
  out.writeUInt32BE(length, 0);
  out.write(json, 4, 'utf8');
  return out;
}

/** Accumulates bytes and yields every complete frame; throws on an oversized or unparsable frame. */
export class FrameDecoder<T> {
  private buffered: Buffer = Buffer.alloc(0);

  *push(chunk: Buffer): Generator<T> {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) throw new Error(`frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
      if (this.buffered.length < 4 + length) return;
      const json = this.buffered.subarray(4, 4 + length).toString('utf8');
      this.buffered = this.buffered.subarray(4 + length);
      yield JSON.parse(json) as T;
    }
  }
}
