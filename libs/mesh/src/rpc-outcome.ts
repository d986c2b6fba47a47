import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';

/** The `outcome` label of a tRPC code: server errors are what error-rate panels and alerts count. */
export function outcomeOfCode(code: TRPC_ERROR_CODE_KEY | 'OK'): 'ok' | 'client_error' | 'server_error' {
  if (code === 'OK') return 'ok';
  return getHTTPStatusCodeFromError(new TRPCError({ code })) >= 500 ? 'server_error' : 'client_error';
}

export const tracer = trace.getTracer('@douyin/mesh');

export { SpanKind };

/** The span attributes of one procedure call, as the OpenTelemetry RPC conventions name them. */
export const rpcAttributes = (service: string, path: string): Attributes => ({
  'rpc.system': 'trpc',
  'rpc.service': service,
  'rpc.method': path,
});

/** Marks a span failed with the call's tRPC code; client errors (NOT_FOUND…) are answers, not span errors. */
export function endSpan(span: Span, code: TRPC_ERROR_CODE_KEY | 'OK'): void {
  span.setAttribute('rpc.trpc.code', code);
  if (outcomeOfCode(code) === 'server_error') span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  span.end();
}
