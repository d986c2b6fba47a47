import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startOtlpReceiver } from '@douyin/testing';
import { exporterFor } from './tracing.js';

const SERVER = 2;
const CLIENT = 3;

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  test(`spans reach an OTLP/HTTP receiver as ${protocol} with their parent links, kinds and attributes`, async (t) => {
    const receiver = await startOtlpReceiver(t);
    const exporter = await exporterFor({ exporter: 'otlp', endpoint: receiver.url, protocol, serviceName: 'probe', serviceVersion: '1', instanceId: 'h-1', continueIncomingTraces: true });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'probe' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    const request = tracer.startSpan('GET /douyin/feed/', { kind: SpanKind.SERVER });
    const call = tracer.startSpan(
      'video/feed',
      { kind: SpanKind.CLIENT, attributes: { 'rpc.service': 'video', 'rpc.attempts': 2, 'rpc.retried': true } },
      trace.setSpan(context.active(), request),
    );
    call.end();
    request.end();
    await provider.shutdown();

    const spans = receiver.spans();
    assert.equal(spans.length, 2);
    const server = spans.find((s) => s.name === 'GET /douyin/feed/');
    const client = spans.find((s) => s.name === 'video/feed');
    assert.ok(server && client, JSON.stringify(spans));
    assert.deepEqual([server.service, server.kind, server.parentSpanId], ['probe', SERVER, '']);
    assert.deepEqual([client.kind, client.traceId, client.parentSpanId], [CLIENT, server.traceId, server.spanId]);
    assert.match(client.traceId, /^[0-9a-f]{32}$/);
    assert.deepEqual(
      [client.attributes['rpc.service'], String(client.attributes['rpc.attempts']), client.attributes['rpc.retried']],
      ['video', '2', true],
    );
  });
}
