import http, { type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { StorageUnavailableError } from './object-store.js';

/** What bounds each HTTP request the S3 store makes. */
export interface RequestBounds {
  /**
   * The deadline (ms since the epoch) of the call being served, read as each request starts; undefined outside one.
   * A request is not sent past it and one still running at it is abandoned. Deletes are exempt: they are how a
   * failed call cleans up, after its deadline as often as not, and they are bounded by `stallMs` all the same.
   */
  deadline?: () => number | undefined;
  /**
   * How long a request may go with no byte moving either way (connecting, sending, or waiting for the answer) before
   * the store is taken to be unreachable. A reader that is behind (a phone taking a video slowly) is not a stall.
   */
  stallMs: number;
}

export type StorageTimeoutCode = 'STORAGE_DEADLINE_EXCEEDED' | 'STORAGE_STALLED';

/** A request to the object store given up on: the store counts as unavailable, and what it did is unknown. */
export class StorageTimeoutError extends StorageUnavailableError {
  constructor(
    readonly code: StorageTimeoutCode,
    message: string,
  ) {
    super(message);
    this.name = 'StorageTimeoutError';
  }
}

type Transport = Pick<typeof http, 'request'>;

// Bytes this socket has taken in or handed to the kernel: what the store's side has had to acknowledge.
const bytesMoved = (socket: Socket | null) => (socket ? socket.bytesRead + socket.bytesWritten - socket.writableLength : 0);

const SLICE_BYTES = 64 * 1024;

/**
 * Makes `req.end(body)` send a large body as slices, each written once the socket took the one before. minio ends a
 * request with a whole part (up to S3_PART_SIZE) in one write, which leaves writableLength only once the kernel has
 * every byte of it: over a link slower than a part per stall bound, that write would look like no progress at all.
 */
function endInSlices(req: ClientRequest): void {
  const end = req.end.bind(req) as (body?: Buffer) => ClientRequest;
  req.end = ((body?: unknown, ...rest: unknown[]) => {
    if (!Buffer.isBuffer(body) || body.length <= SLICE_BYTES || rest.length > 0) return (end as (...args: unknown[]) => ClientRequest)(body, ...rest);
    let offset = 0;
    const more = (): void => {
      while (!req.destroyed) {
        const slice = body.subarray(offset, (offset += SLICE_BYTES));
        if (offset >= body.length) return void end(slice);
        if (!req.write(slice)) return void req.once('drain', more);
      }
    };
    more();
    return req;
  }) as ClientRequest['end'];
}

// Unread bytes mean the answer waits for its reader, not for the store. (Not isPaused(): a reader by async iteration
// or by pipe counts as paused between chunks even when it waits for the next one.)
const readerIsBehind = (res: IncomingMessage | undefined) => res !== undefined && res.readableLength > 0;

function reset(socket: Socket | null): void {
  try {
    // A reset, not a FIN: the kernel would go on retransmitting an unacknowledged request, and a store reached again
    // would carry out a copy or a write its caller was told had failed.
    socket?.resetAndDestroy();
  } catch {
    // A TLS socket cannot be reset: closed, what it still held may yet reach a store reached again, as a publish's
    // kept intent allows for.
    socket?.destroy();
  }
}

/**
 * An HTTP transport for the minio client (`new Client({ transport })`) that bounds every request by `bounds`: mysql2
 * and Node's HTTP client alike would wait on a silent peer (a partition, a paused host) until TCP gives up, a quarter
 * of an hour, holding the call and its caller's resources for all of it.
 */
export function boundedTransport(protocol: 'http:' | 'https:', bounds: RequestBounds): Transport {
  const base = protocol === 'https:' ? https : http;
  const tickMs = Math.max(10, Math.min(1000, Math.floor(bounds.stallMs / 5)));

  function request(options: RequestOptions, onResponse?: (res: IncomingMessage) => void): ClientRequest {
    const deadline = options.method === 'DELETE' ? undefined : bounds.deadline?.();
    let response: IncomingMessage | undefined;
    const req = base.request(options, (res) => {
      response = res;
      res.once('close', settle);
      onResponse?.(res);
    });
    endInSlices(req);
    const left = deadline === undefined ? Infinity : deadline - Date.now();
    if (left <= 0) {
      req.destroy(new StorageTimeoutError('STORAGE_DEADLINE_EXCEEDED', `deadline passed before ${options.method} ${options.path} was sent`));
      return req;
    }
    const abandon = (code: StorageTimeoutCode, why: string) => {
      settle();
      if (response?.complete) return;
      const err = new StorageTimeoutError(code, `${options.method} ${options.path} abandoned: ${why}`);
      reset(req.socket);
      if (response) {
        response.destroy(err);
      } else {
        // Destroyed with `err`, a request closes its socket with a FIN; reset first, it would report only "socket hang
        // up" when the socket closes. Its waiting caller hears `err` now, before that.
        req.destroy();
        req.emit('error', err);
      }
    };
    const deadlineTimer = left === Infinity ? undefined : setTimeout(() => abandon('STORAGE_DEADLINE_EXCEEDED', 'its deadline passed'), left);
    // A keep-alive socket arrives with earlier requests' bytes counted: progress is a change, not a total.
    let moved = 0;
    let lastProgress = Date.now();
    req.once('socket', (socket: Socket) => void (moved = bytesMoved(socket)));
    const stallTicker = setInterval(() => {
      // Wholly received, the answer owes the store nothing more: its reader may take it as slowly as it likes (a
      // response piped to a slow phone ends only once the phone has it), and one minio drops unread (a retried 503)
      // would otherwise keep this ticking for ever.
      if (response?.complete) return settle();
      const now = bytesMoved(req.socket);
      if (now !== moved || readerIsBehind(response)) {
        moved = now;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress >= bounds.stallMs) {
        abandon('STORAGE_STALLED', `nothing moved for ${bounds.stallMs} ms`);
      }
    }, tickMs);
    stallTicker.unref();
    deadlineTimer?.unref();
    function settle() {
      clearTimeout(deadlineTimer);
      clearInterval(stallTicker);
    }
    // Without an answer, the request's own end is the last word; with one, the answer's close or completion is.
    req.once('close', () => (response === undefined || response.complete) && settle());
    return req;
  }

  return { request } as Transport;
}
