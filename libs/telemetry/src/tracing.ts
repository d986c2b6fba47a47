import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redisCommandWithoutValues, sqlWithoutValues } from './statements.js';
import type { TracingSettings } from './tracing-settings.js';

// Probes and scrapes would bury the request traces under spans nobody reads.
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
// Runs on every request, sampled or not: no array or regex for what one indexOf can tell.
const pathOf = (url: string) => {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
};
const untraced = (url: string | undefined) => UNTRACED_PATHS.has(pathOf(url ?? ''));

/** The span exporter `settings` name. */
export async function exporterFor(settings: TracingSettings): Promise<SpanExporter> {
  if (settings.exporter === 'jaeger') {
    // Deprecated upstream and heavy (thrift): loaded only for Jaeger deployments without OTLP ingest.
    const { JaegerExporter } = await import('@opentelemetry/exporter-jaeger');
    return new JaegerExporter({ endpoint: settings.endpoint });
  }
  const url = `${settings.endpoint}/v1/traces`;
  // Protobuf: smaller bodies and about half the serialization CPU of JSON at the same spans.
  return settings.protocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtobufExporter({ url });
}

/** Starts the Node SDK: HTTP, Fastify, mysql2 and ioredis spans, W3C trace context, batch export. */
export async function startTracing(settings: TracingSettings): Promise<NodeSDK> {
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.version': settings.serviceVersion,
      'service.instance.id': settings.instanceId,
      'service.namespace': 'douyin',
    }),
    spanProcessors: [new BatchSpanProcessor(await exporterFor(settings))],
    // Metrics are prom-client's job and logs are pino's: without these the SDK would default both to OTLP.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      // Outgoing HTTP only (S3, Consul): every server here is Fastify, whose request span is the SERVER span.
      new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
      // One SERVER span per request, named by route. Child spans per handler or per lifecycle hook (metrics, rate
      // limits, ...) would multiply the spans of every request while telling little the request span does not.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        ignorePaths: (route) => untraced(route.url),
        instrumentHooks: false,
        instrumentHandler: false,
        requestHook: (span, request) => {
          // A request the sampler left out records nothing: no need to read its route (a getter building an object).
          if (!span.isRecording()) return;
          // "GET /douyin/feed/" instead of "request": the route tells traces apart in Jaeger's list.
          span.updateName(`${request.method} ${request.routeOptions.url ?? pathOf(request.url)}`);
          // The APK sends its token, and at sign-up and login the password, in the query string: url.path would
          // carry them into every trace store. The path alone is kept.
          span.setAttribute('url.path', pathOf(request.url));
        },
      }),
      new MySQL2Instrumentation({ maskStatement: true, maskStatementHook: sqlWithoutValues }),
      new IORedisInstrumentation({ dbStatementSerializer: redisCommandWithoutValues }),
    ],
  });
  sdk.start();
  return sdk;
}
