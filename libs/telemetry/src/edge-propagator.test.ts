import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, trace, TraceFlags } from '@opentelemetry/api';
import { EdgePropagator } from './edge-propagator.js';

test('the edge writes trace context into its calls and reads none from what it receives', () => {
  const edge = new EdgePropagator();
  const incoming = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
  const extracted = edge.extract(ROOT_CONTEXT, incoming, defaultTextMapGetter);
  assert.equal(trace.getSpanContext(extracted), undefined, 'a client cannot choose the trace or force its sampling');

  const own = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
  const outgoing: Record<string, string> = {};
  edge.inject(own, outgoing, defaultTextMapSetter);
  assert.equal(outgoing.traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  assert.deepEqual(edge.fields(), ['traceparent', 'tracestate']);
});
