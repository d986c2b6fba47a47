import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * The propagator of the process that faces the public (the gateway): it writes W3C trace context into the calls it
 * makes and reads none from the requests it gets. A client's `traceparent` would otherwise pick the trace id, hang
 * its requests under another trace, or force recording: a sampled parent overrides `parentbased_traceidratio`, and
 * tracing every request costs a gateway over half its throughput. Each APK request starts a trace the sampler decides.
 */
export class EdgePropagator implements TextMapPropagator {
  private readonly w3c = new W3CTraceContextPropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.w3c.inject(context, carrier, setter);
  }

  extract(context: Context, _carrier: unknown, _getter: TextMapGetter): Context {
    return context;
  }

  fields(): string[] {
    return this.w3c.fields();
  }
}
