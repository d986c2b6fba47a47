import type { ServerResponse } from 'node:http';

/**
 * Bytes a push connection may have waiting unsent before it is ended. Far above what a reading client leaves
 * behind (the kernel's socket buffers absorb bursts first); a client that stopped reading (a phone asleep
 * behind a NAT that still answers) would otherwise make the gateway hold everything sent to it for as long as
 * the socket stays open.
 */
export const PUSH_UNSENT_LIMIT = 1024 * 1024;

/**
 * How long an ended stream may take to hand over what it still holds before its connection is cut: a client that
 * stopped reading would never take it, and the response would neither finish nor close.
 */
export const PUSH_END_GRACE_MS = 5_000;

type PushResponse = Pick<ServerResponse, 'write' | 'end' | 'writableLength' | 'destroy' | 'once'>;

/**
 * Server-sent events on `res`; ended (not closed cleanly) once more than `unsentLimit` bytes wait unsent. Nothing is
 * written after `end()`: a write after the end is an 'error' event on the response, which nothing listens for.
 */
export function pushStream(res: PushResponse, onStalled: () => void, unsentLimit = PUSH_UNSENT_LIMIT, endGraceMs = PUSH_END_GRACE_MS) {
  let stalled = false;
  let ended = false;
  const send = (text: string) => {
    if (stalled || ended) return;
    if (res.writableLength > unsentLimit) {
      stalled = true;
      onStalled();
      // Destroyed, not ended: an end would wait behind the unsent bytes the client is not reading.
      res.destroy();
      return;
    }
    res.write(text);
  };
  // An `id:` is what EventSource sends back as Last-Event-ID when it reconnects; a frame of an id and a comment only
  // sets it, dispatching nothing.
  const idLine = (id: number | undefined) => (id === undefined ? '' : `id: ${id}\n`);
  return {
    event: (name: string, data: unknown, id?: number) => send(`${idLine(id)}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`),
    comment: (text: string, id?: number) => send(`${idLine(id)}: ${text}\n\n`),
    end() {
      if (ended || stalled) return;
      ended = true;
      res.end();
      const cut = setTimeout(() => res.destroy(), endGraceMs).unref();
      res.once('close', () => clearTimeout(cut));
    },
  };
}
