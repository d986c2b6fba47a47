import type { Socket } from 'node:net';

/**
 * Writes frames to a socket, coalescing those queued in one turn of the event loop into a single write: under
 * load many calls start (or answer) in the same poll phase, and one syscall for all of them costs far less than
 * one each. An idle connection waits at most until the end of the current turn.
 */
export class FrameWriter {
  private frames: Buffer[] = [];
  private sent: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  /** Queues `frame`; `onSent` runs when it is handed to the socket (not if the socket closed first). */
  write(frame: Buffer, onSent?: () => void): void {
    this.frames.push(frame);
    if (onSent) this.sent.push(onSent);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Sends what is queued, then ends the socket. */
  end(): void {
    this.flush();
    this.socket.end();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const { frames, sent } = this;
    if (frames.length === 0) return;
    this.frames = [];
    this.sent = [];
    if (!this.socket.writable) return;
    this.socket.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames));
    for (const onSent of sent) onSent();
  };
}
