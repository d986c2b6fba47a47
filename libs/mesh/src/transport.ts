import type { ServiceInstance } from '@douyin/registry';
import type { WireError } from './wire.js';

export interface RpcRequest {
  path: string;
  type: 'query' | 'mutation';
  input: unknown;
  budgetMs: number;
  requestId: string;
}

/** The callee answered with a typed error: the call reached the service, so it is not a transport failure. */
export class RemoteError extends Error {
  constructor(
    readonly status: number,
    readonly wire: WireError,
  ) {
    super(wire.message);
    this.name = 'RemoteError';
  }
}

/** The call did not get a typed answer. `delivered: false` means the callee certainly did not run it. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly delivered: boolean,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** How a call travels to an instance; the mesh client picks the instance and handles breakers, retries, deadlines. */
export interface Transport {
  send(instance: ServiceInstance, req: RpcRequest): Promise<unknown>;
  /** Throws what `send` would for a request it cannot encode (an input JSON cannot carry, or too large), sending nothing. */
  assertSendable(req: RpcRequest): void;
  /** Closes the connections of instances that are gone, once the calls in flight on them have settled. */
  retain(liveIds: ReadonlySet<string>): void;
  close(): Promise<void>;
}
