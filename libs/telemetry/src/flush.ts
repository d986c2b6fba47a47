import { trace, type TracerProvider } from '@opentelemetry/api';

type Flushable = TracerProvider & { getDelegate?: () => TracerProvider; forceFlush?: () => Promise<void> };

/** Exports the spans still buffered, before a graceful exit; a no-op when tracing is off. */
export async function flushTraces(): Promise<void> {
  // The API hands out a proxy; the SDK's provider behind it is the one holding the batch.
  const provider = trace.getTracerProvider() as Flushable;
  const delegate = (provider.getDelegate?.() ?? provider) as Flushable;
  await delegate.forceFlush?.();
}
