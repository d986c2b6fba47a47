import { context, propagation } from '@opentelemetry/api';
import type { ServiceInstance } from '@douyin/registry';
import { encodeCall } from './frames.js';
import { StreamConnection } from './stream-connection.js';
import type { RpcRequest, Transport } from './transport.js';

/**
 * Calls over a few persistent frame streams per instance (HTTP/1.1 Upgrade, then length-prefixed JSON), so a
 * call costs one small write and one small read instead of an HTTP request/response on each side.
 */
export class StreamTransport implements Transport {
  private readonly byInstance = new Map<string, { connections: Array<StreamConnection | undefined>; next: number }>();

  constructor(private readonly connectionsPerInstance = 2) {}

  send(instance: ServiceInstance, req: RpcRequest): Promise<unknown> {
    // W3C trace context of the mesh CLIENT span travels in the frame; a no-op while tracing is off.
    const carrier: { traceparent?: string; tracestate?: string } = {};
    propagation.inject(context.active(), carrier);
    return this.connection(instance).call(req, carrier);
  }

  assertSendable(req: RpcRequest): void {
    encodeCall(0, req);
  }

  retain(liveIds: ReadonlySet<string>): void {
    for (const [id, slot] of this.byInstance) {
      if (liveIds.has(id)) continue;
      this.byInstance.delete(id);
      for (const connection of slot.connections) connection?.retire();
    }
  }

  async close(): Promise<void> {
    for (const slot of this.byInstance.values()) for (const connection of slot.connections) connection?.destroy();
    this.byInstance.clear();
  }

  private connection(instance: ServiceInstance): StreamConnection {
    let slot = this.byInstance.get(instance.id);
    if (!slot) {
      slot = { connections: [], next: 0 };
      this.byInstance.set(instance.id, slot);
    }
    const index = slot.next++ % this.connectionsPerInstance;
    let connection = slot.connections[index];
    // A dead connection is replaced on next use rather than reconnected eagerly: the breaker decides when to retry.
    if (!connection?.usable) {
      connection = new StreamConnection(instance);
      slot.connections[index] = connection;
    }
    return connection;
  }
}
