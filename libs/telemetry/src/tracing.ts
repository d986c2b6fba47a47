import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { EdgePropagator } from './edge-propagator.js';
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

/**
 * The CommonJS packages whose exports the instrumentations patch and which the app imports as ESM. The
 * instrumentations patch a package as `require` loads it (require-in-the-middle), and an ESM import of a CommonJS
 * package shares `require`'s module cache: loaded once through `require` after the SDK has started, each is patched
 * before the app's imports receive it. (Fastify is traced through its diagnostics channel, outgoing HTTP through the
 * CommonJS clients of S3 and Consul.) import-in-the-middle's loader hook would cover any ESM import, but it makes
 * every module the app loads, hooked or not, a round trip to the hook's thread: 0.3-0.5 s more to start each traced
 * process (bench/FINDINGS.md).
 */
const HOOKED_PACKAGES = ['mysql2', 'ioredis'];

/** Loads HOOKED_PACKAGES as the app at `appEntry` resolves them; one the app cannot resolve is not its dependency. */
function loadHookedPackages(appEntry: string | undefined): void {
  const requireFromApp = createRequire(resolve(appEntry ?? 'index.js'));
  for (const name of HOOKED_PACKAGES) {
    try {
      requireFromApp.resolve(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') continue;
      throw error;
    }
    requireFromApp(name);
  }
}

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

/**
 * Starts the Node SDK: HTTP, Fastify, mysql2 and ioredis spans, W3C trace context (not read from the public at the
 * gateway), batch export. `appEntry` is the
 * app's main module, from which the packages the instrumentations patch are resolved.
 */
export async function startTracing(settings: TracingSettings, appEntry: string | undefined): Promise<NodeSDK> {
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.version': settings.serviceVersion,
      'service.instance.id': settings.instanceId,
      'service.namespace': 'douyin',
    }),
    spanProcessors: [new BatchSpanProcessor(await exporterFor(settings))],
    // Unset: what OTEL_PROPAGATORS names, by default W3C trace context and baggage both ways.
    ...(settings.continueIncomingTraces ? {} : { textMapPropagator: new EdgePropagator() }),
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
          // A path no route matched is named as such: anyone can send any path, and every name is a new operation.
          span.updateName(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`);
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
  loadHookedPackages(appEntry);
  return sdk;
}
