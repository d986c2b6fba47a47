import { setTimeout as sleep } from 'node:timers/promises';
import { trace, type TracerProvider } from '@opentelemetry/api';

type Flushable = TracerProvider & { getDelegate?: () => TracerProvider; forceFlush?: () => Promise<void> };

/** Long enough for a reachable collector; an unreachable one would take the exporter's 10 s, the whole stop's grace. */
const FLUSH_LIMIT_MS = 2_000;

/**
 * Exports the spans still buffered, before a graceful exit; a no-op when tracing is off. Rejects after `limitMs`
 * when the collector does not take them: the spans are lost, the stop goes on.
 */
export async function flushTraces(limitMs = FLUSH_LIMIT_MS): Promise<void> {
  // The API hands out a proxy; the SDK's provider behind it is the one holding the batch.
  const provider = trace.getTracerProvider() as Flushable;
  const delegate = (provider.getDelegate?.() ?? provider) as Flushable;
  const flushed = delegate.forceFlush?.();
  if (!flushed) return;
  const limit = new AbortController();
  try {
    await Promise.race([
      flushed,
      sleep(limitMs, undefined, { signal: limit.signal }).then(() => Promise.reject(new Error(`the trace collector took more than ${limitMs} ms`))),
    ]);
  } finally {
    limit.abort();
  }
}
