import { connect, type Socket } from 'node:net';
import type { ServiceInstance } from '@douyin/registry';
import { FrameDecoder, GOAWAY_ID, STREAM_KEEPALIVE_MS, STREAM_PATH, STREAM_PROTOCOL, encodeCall, type CallFrame, type ReplyFrame } from './frames.js';
import { FrameWriter } from './frame-writer.js';
import { hostPort } from './host-port.js';
import { RemoteError, TransportError, type RpcRequest } from './transport.js';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  /** Handed to the socket: from here on the callee may have run it. */
  written: boolean;
  /** The stream's reads when this call was handed to the socket. */
  heardWhenWritten: number;
  frame: Buffer;
  /** A call made before the stream opened: when (performance.now()), and what to encode again once it has. */
  queued?: { at: number; req: RpcRequest; trace: Pick<CallFrame, 'traceparent' | 'tracestate'> };
}

/** Until the stream is open: TCP connected and the upgrade answered. */
const OPEN_TIMEOUT_MS = 1_000;
const HEADER_END = '\r\n\r\n';

/**
 * One persistent, multiplexed frame stream to one instance: many calls in flight at once, answered by id.
 * Calls made while it connects wait in a queue; if the connection never opens they fail as undelivered.
 */
export class StreamConnection {
  private socket: Socket;
  private readonly writer: FrameWriter;
  private open = false;
  private closed = false;
  private retired = false;
  /** The server said it is draining (GOAWAY_ID): what it leaves unanswered, it did not run. */
  private goingAway = false;
  private nextId = 1;
  /** Reads since the stream opened: a stream that brought nothing since a call went out may be dead without having closed. */
  private heard = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder<ReplyFrame>();
  private handshake = '';

  constructor(private readonly instance: ServiceInstance) {
    this.socket = connect({ host: instance.address, port: instance.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: STREAM_KEEPALIVE_MS });
    this.writer = new FrameWriter(this.socket, 'poll');
    // A peer that takes the connection but never answers the upgrade (hung, or not our server) would otherwise hold
    // every call sent its way until each one's deadline, for as long as the connection stays up.
    this.socket.setTimeout(OPEN_TIMEOUT_MS, () => this.fail(new Error(`no rpc stream from ${instance.id} within ${OPEN_TIMEOUT_MS} ms`)));
    this.socket.once('connect', () => {
      this.socket.write(
        `GET ${STREAM_PATH} HTTP/1.1\r\nHost: ${hostPort(instance.address, instance.port)}\r\nConnection: Upgrade\r\nUpgrade: ${STREAM_PROTOCOL}\r\n\r\n`,
      );
    });
    this.socket.on('data', (chunk: Buffer) => (this.open ? this.receive(chunk) : this.readHandshake(chunk)));
    // A draining server says so before it ends the stream, once no call on it is running, and starts none after:
    // what is still pending then was not run, and may go to another instance. A process that dies ends its
    // streams just the same (the kernel closes its sockets), without saying so: a call it read may have run.
    this.socket.on('end', () => this.fail(new Error(`${instance.id} ${this.goingAway ? 'is draining' : 'ended the stream'}`), this.goingAway));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error(`connection to ${instance.id} closed`)));
  }

  get usable(): boolean {
    return !this.closed && !this.retired;
  }

  /** Sends one call and resolves with its result; rejects with RemoteError or TransportError. */
  call(req: RpcRequest, trace: Pick<CallFrame, 'traceparent' | 'tracestate'>): Promise<unknown> {
    if (!this.usable) return Promise.reject(new TransportError(`connection to ${this.instance.id} is closed`, false, false));
    const id = this.nextId++;
    let frame: Buffer;
    try {
      frame = encodeCall(id, req, trace);
    } catch (err) {
      return Promise.reject(err); // an input JSON cannot carry, or too large for a frame: never sent
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TransportError(`deadline exceeded calling ${this.instance.id}`, pending.written, true));
        // Nothing came back since the call went out: the stream may be dead without having closed (a peer or a
        // middlebox that dropped it silently; TCP keepalive only probes an idle socket, and retransmission gives up
        // after many minutes). The next calls go over a new one; this one closes once its calls have settled.
        if (pending.written && this.heard === pending.heardWhenWritten) this.retired = true;
        this.closeIfRetiredAndIdle();
      }, Math.max(1, req.budgetMs));
      const pending: Pending = { resolve, reject, timer, written: false, heardWhenWritten: 0, frame };
      this.pending.set(id, pending);
      if (this.open) this.write(pending);
      // The frame says how long the callee has, which the wait for the stream to open takes from: told the whole
      // budget, the callee would still be working (or committing a write) after this caller gave up.
      else pending.queued = { at: performance.now(), req, trace };
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Takes no new calls and closes once the calls in flight have settled. Discovery drops a draining instance
   * while it still answers what it took; cutting the stream then would fail calls that are about to succeed.
   */
  retire(): void {
    this.retired = true;
    this.closeIfRetiredAndIdle();
  }

  private closeIfRetiredAndIdle(): void {
    if (this.retired && this.pending.size === 0) this.socket.destroy();
  }

  private write(pending: Pending): void {
    this.writer.write(pending.frame, () => {
      pending.written = true;
      pending.heardWhenWritten = this.heard;
    });
  }

  private readHandshake(chunk: Buffer): void {
    this.handshake += chunk.toString('latin1');
    const end = this.handshake.indexOf(HEADER_END);
    if (end < 0) {
      if (this.handshake.length > 4096) this.fail(new Error(`bad handshake from ${this.instance.id}`));
      return;
    }
    if (!this.handshake.startsWith('HTTP/1.1 101')) {
      // Not our protocol (an old instance or another server): nothing was delivered.
      this.fail(new Error(`${this.instance.id} refused the rpc stream: ${this.handshake.split('\r\n')[0]}`));
      return;
    }
    const rest = Buffer.from(this.handshake.slice(end + HEADER_END.length), 'latin1');
    this.handshake = '';
    this.open = true;
    this.socket.setTimeout(0);
    for (const [id, pending] of this.pending) {
      const { queued } = pending;
      if (queued) {
        const left = Math.max(1, Math.floor(queued.req.budgetMs - (performance.now() - queued.at)));
        pending.frame = encodeCall(id, { ...queued.req, budgetMs: left }, queued.trace);
        pending.queued = undefined;
      }
      this.write(pending);
    }
    if (rest.length > 0) this.receive(rest);
  }

  private receive(chunk: Buffer): void {
    this.heard++;
    let frames: ReplyFrame[];
    try {
      frames = [...this.decoder.push(chunk)];
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    for (const frame of frames) {
      if (frame.id === GOAWAY_ID) {
        this.goingAway = true;
        continue;
      }
      const pending = this.pending.get(frame.id);
      if (!pending) continue; // answered after its deadline: the caller has moved on
      this.pending.delete(frame.id);
      clearTimeout(pending.timer);
      if (frame.error && typeof frame.error.code === 'string') pending.reject(new RemoteError(frame.status, frame.error));
      else if (frame.status === 200) pending.resolve(frame.result ?? null);
      // 503 without an error: the instance is draining and did not run the call.
      else pending.reject(new TransportError(`${this.instance.id} answered ${frame.status}`, frame.status !== 503, false));
    }
    this.closeIfRetiredAndIdle();
  }

  private fail(cause: Error, undelivered = false): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new TransportError(cause.message, !undelivered && pending.written, false, { cause }));
    }
    this.pending.clear();
  }
}
