import { context, propagation } from '@opentelemetry/api';
import { Pool } from 'undici';
import type { ServiceInstance } from '@douyin/registry';
import { assertFitsFrame } from './frames.js';
import { hostPort } from './host-port.js';
import { RemoteError, TransportError, type RpcRequest, type Transport } from './transport.js';
import { HEADER, RPC_PREFIX, type WireResponse } from './wire.js';

const LATE_ANSWER_MS = 5_000;

/** The call's body; one the stream transport could not send either is refused before it leaves, as a frame is. */
function bodyOf(req: RpcRequest): string {
  const body = JSON.stringify({ input: req.input });
  assertFitsFrame(body);
  return body;
}

/** Plain HTTP: POST /rpc/<path> over keep-alive undici pools, one per instance. */
export class HttpTransport implements Transport {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly connectionsPerInstance = 64) {}

  async send(instance: ServiceInstance, req: RpcRequest): Promise<unknown> {
    const exchange = this.exchange(instance, req);
    // undici's headers/body timeouts run on a coarse clock (a 100 ms budget fired after a second), so the deadline
    // is a timer of its own. The request is left to finish or hit undici's timeout rather than aborted: an abort
    // made the pool reconnect at once, and the server's graceful stop then waited on that idle new connection.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransportError(`deadline exceeded calling ${instance.id}`, true, true)), req.budgetMs);
    });
    let answer: { statusCode: number; text: string };
    try {
      answer = await Promise.race([exchange, deadline]);
    } finally {
      clearTimeout(timer);
      exchange.catch(() => undefined);
    }
    const body = parse(answer.text);
    if (body?.error && typeof body.error.code === 'string') throw new RemoteError(answer.statusCode, body.error);
    if (answer.statusCode === 200 && body && 'result' in body) return body.result;
    // An answer without our shape comes from something between the two (a proxy): whether the procedure ran is
    // unknown, so a mutation is not sent again. (A closing service serves what reaches it rather than a bare 503.)
    throw new TransportError(`unexpected HTTP ${answer.statusCode} from ${instance.id}`, true, false);
  }

  private async exchange(instance: ServiceInstance, req: RpcRequest): Promise<{ statusCode: number; text: string }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [HEADER.budget]: String(req.budgetMs),
      [HEADER.requestId]: req.requestId,
      [HEADER.procedureType]: req.type,
    };
    // W3C traceparent of the mesh CLIENT span, written here rather than left to an undici instrumentation, so the
    // trace crosses every hop whatever is instrumented; a no-op while tracing is off.
    propagation.inject(context.active(), headers);
    // Outside the try: an input JSON cannot carry is the caller's error, not a failure to reach the instance.
    const body = bodyOf(req);
    try {
      const res = await this.pool(instance).request({
        method: 'POST',
        path: RPC_PREFIX + req.path,
        headers,
        body,
        // Only a backstop for an instance that never answers: an answer arriving a little after the caller gave up
        // is read, keeping the connection, instead of having undici destroy the socket (and dial a new one).
        headersTimeout: req.budgetMs + LATE_ANSWER_MS,
        bodyTimeout: req.budgetMs + LATE_ANSWER_MS,
      });
      return { statusCode: res.statusCode, text: await res.body.text() };
    } catch (err) {
      throw classify(err);
    }
  }

  assertSendable(req: RpcRequest): void {
    bodyOf(req);
  }

  retain(liveIds: ReadonlySet<string>): void {
    for (const [id, pool] of this.pools) {
      if (!liveIds.has(id)) {
        this.pools.delete(id);
        void pool.close();
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
  }

  private pool(instance: ServiceInstance): Pool {
    let pool = this.pools.get(instance.id);
    if (!pool) {
      pool = new Pool(`http://${hostPort(instance.address, instance.port)}`, {
        connections: this.connectionsPerInstance,
        keepAliveTimeout: 10_000,
        connectTimeout: 1_000,
      });
      this.pools.set(instance.id, pool);
    }
    return pool;
  }
}

function parse(text: string): WireResponse | undefined {
  try {
    return JSON.parse(text) as WireResponse;
  } catch {
    return undefined;
  }
}

function classify(err: unknown): TransportError {
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new TransportError(`deadline exceeded: ${message}`, true, true, { cause: err });
  }
  // Refused or unreachable: the request never left this process.
  const undelivered = ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code);
  return new TransportError(message, !undelivered, false, { cause: err });
}
