import type { ServerResponse } from 'node:http';

/**
 * Bytes a push connection may have waiting unsent before it is ended. Far above what a reading client leaves
 * behind (the kernel's socket buffers absorb bursts first); a client that stopped reading (a phone asleep
 * behind a NAT that still answers) would otherwise make the gateway hold everything sent to it for as long as
 * the socket stays open.
 */
export const PUSH_UNSENT_LIMIT = 1024 * 1024;

/** Server-sent events on `res`; ended (not closed cleanly) once more than `unsentLimit` bytes wait unsent. */
export function pushStream(res: Pick<ServerResponse, 'write' | 'writableLength' | 'destroy'>, onStalled: () => void, unsentLimit = PUSH_UNSENT_LIMIT) {
  let stalled = false;
  const send = (text: string) => {
    if (stalled) return;
    if (res.writableLength > unsentLimit) {
      stalled = true;
      onStalled();
      // Destroyed, not ended: an end would wait behind the unsent bytes the client is not reading.
      res.destroy();
      return;
    }
    res.write(text);
  };
  return {
    event: (name: string, data: unknown) => send(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`),
    comment: (text: string) => send(`: ${text}\n\n`),
  };
}
