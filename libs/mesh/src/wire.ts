import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';

// The mesh's wire format: POST /rpc/<procedure path>, body {"input": ...};
// answer {"result": data} or, with the HTTP status of the tRPC code, {"error": WireError}.
export const RPC_PREFIX = '/rpc/';
export const HEADER = {
  // A relative budget, not an absolute time, so clock skew between hosts cannot eat it.
  budget: 'x-deadline-ms',
  requestId: 'x-request-id',
  procedureType: 'x-rpc-type',
} as const;

export interface WireError {
  code: TRPC_ERROR_CODE_KEY;
  message: string;
  reason?: string;
  /** Set when the callee passes on another service's failure: the callee itself answered, and is not to blame. */
  relayed?: true;
}

export interface WireResponse {
  result?: unknown;
  error?: WireError;
}

/** What a service answers when its own answer cannot be encoded (a result JSON cannot carry: a BigInt, a cycle). */
export const UNENCODABLE_ANSWER = { status: 500, error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal error' } } as const satisfies {
  status: number;
  error: WireError;
};

/**
 * What a service answers when its answer is larger than a frame may be (MAX_FRAME_BYTES): the call
 * fails alone, typed, and below 500, as the instance is healthy and its breaker must not open for it.
 */
export const ANSWER_TOO_LARGE = {
  status: 413,
  error: { code: 'PAYLOAD_TOO_LARGE', message: 'the answer is too large to send', reason: 'answer_too_large' },
} as const satisfies { status: number; error: WireError };

const reasonOf = (value: unknown): string | undefined => {
  const reason = (value as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : undefined;
};

/** A dependency whose outage a service reports as SERVICE_UNAVAILABLE with `reason`, e.g. its database. */
export interface Dependency {
  reason: string;
  isDown(err: unknown): boolean;
}

/** Turns whatever a procedure threw into the wire error; an error relayed from another service keeps its code and reason. */
export function toWireError(err: unknown, dependencies: readonly Dependency[] = []): { status: number; error: WireError } {
  // tRPC wraps what a procedure throws in an INTERNAL_SERVER_ERROR whose cause is the original.
  const relayed = relayedError(err) ?? (err instanceof TRPCError ? relayedError(err.cause) : undefined);
  if (relayed) return { status: statusOf(relayed.code), error: relayed };
  const trpc = err instanceof TRPCError ? err : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: err });
  const down = trpc.code === 'INTERNAL_SERVER_ERROR' ? dependencies.find((d) => d.isDown(trpc.cause)) : undefined;
  if (down) {
    return { status: 503, error: { code: 'SERVICE_UNAVAILABLE', message: `${down.reason.replace(/_/g, ' ')}`, reason: down.reason } };
  }
  const internal = trpc.code === 'INTERNAL_SERVER_ERROR';
  return {
    status: getHTTPStatusCodeFromError(trpc),
    // Internal messages can hold SQL or host names: they stay in the callee's log.
    error: { code: trpc.code, message: internal ? 'internal error' : trpc.message, reason: reasonOf(trpc.cause) },
  };
}

const statusOf = (code: TRPC_ERROR_CODE_KEY): number => getHTTPStatusCodeFromError(new TRPCError({ code }));

// A mesh client error thrown inside a handler (a downstream call failed) carries the downstream code in `data`.
function relayedError(err: unknown): WireError | undefined {
  const data = (err as { data?: { code?: unknown; reason?: unknown } } | undefined)?.data;
  if (err instanceof Error && err.name === 'TRPCClientError' && typeof data?.code === 'string') {
    return { code: data.code as TRPC_ERROR_CODE_KEY, message: err.message, reason: reasonOf(data), relayed: true };
  }
  return undefined;
}
