import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TelemetryEnv, loadConfig } from '@douyin/config';
import { appOfEntry, tracingSettings } from '@douyin/telemetry';

const settings = (env: Record<string, string>, entry = '/srv/app/apps/video/dist/src/main.js') => tracingSettings(loadConfig(TelemetryEnv, env), entry, 7);

test('tracing is off unless configured, so the embedded mode exports nothing', () => {
  assert.equal(settings({}).exporter, 'none');
  assert.equal(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' }).exporter, 'none');
});

test('an OTLP endpoint turns on OTLP export; Jaeger is chosen by name and gets its collector default', () => {
  assert.deepEqual(
    [settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }).exporter, settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }).endpoint],
    ['otlp', 'http://jaeger:4318'],
  );
  assert.equal(settings({ OTEL_TRACES_EXPORTER: 'otlp' }).endpoint, 'http://localhost:4318');
  assert.equal(settings({ OTEL_TRACES_EXPORTER: 'otlp' }).protocol, 'http/protobuf');
  assert.equal(settings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol, 'http/json');
  assert.throws(() => loadConfig(TelemetryEnv, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), /OTEL_EXPORTER_OTLP_PROTOCOL/);
  const jaeger = settings({ OTEL_TRACES_EXPORTER: 'jaeger' });
  assert.deepEqual([jaeger.exporter, jaeger.endpoint], ['jaeger', 'http://localhost:14268/api/traces']);
});

test('the service name comes from the entry script unless OTEL_SERVICE_NAME says otherwise; the instance from host and pid', () => {
  assert.equal(settings({}).serviceName, 'video');
  assert.equal(settings({}, 'apps/user/src/main.ts').serviceName, 'user');
  assert.equal(settings({ OTEL_SERVICE_NAME: 'edge' }).serviceName, 'edge');
  assert.equal(appOfEntry('/tmp/script.js'), undefined);
  assert.match(settings({ SERVICE_VERSION: '1.2.3' }).instanceId, /-7$/);
  assert.equal(settings({ SERVICE_VERSION: '1.2.3' }).serviceVersion, '1.2.3');
  assert.throws(() => loadConfig(TelemetryEnv, { OTEL_TRACES_EXPORTER: 'zipkin' }), /OTEL_TRACES_EXPORTER/);
});

test("services continue their callers' traces; the gateway, which the public calls, starts its own", () => {
  assert.equal(settings({}).continueIncomingTraces, true);
  assert.equal(settings({}, '/srv/app/apps/gateway/dist/src/main.js').continueIncomingTraces, false);
  assert.equal(settings({ OTEL_SERVICE_NAME: 'edge' }, 'apps/gateway/src/main.ts').continueIncomingTraces, false);
});

test('a sampler the SDK would not know, or a ratio outside 0..1, stops the process instead of tracing everything', () => {
  const sampled = loadConfig(TelemetryEnv, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' });
  assert.deepEqual([sampled.OTEL_TRACES_SAMPLER, sampled.OTEL_TRACES_SAMPLER_ARG], ['parentbased_traceidratio', 0.1]);
  assert.throws(() => loadConfig(TelemetryEnv, { OTEL_TRACES_SAMPLER: 'parentbased_ratio' }), /OTEL_TRACES_SAMPLER/);
  assert.throws(() => loadConfig(TelemetryEnv, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '10' }), /OTEL_TRACES_SAMPLER_ARG/);
  assert.throws(() => loadConfig(TelemetryEnv, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'ten percent' }), /OTEL_TRACES_SAMPLER_ARG/);
});

test('a ratio sampler without its ratio is refused: the SDK would keep every trace', () => {
  assert.throws(() => loadConfig(TelemetryEnv, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' }), /OTEL_TRACES_SAMPLER_ARG/);
  assert.equal(loadConfig(TelemetryEnv, { OTEL_TRACES_SAMPLER: 'always_off' }).OTEL_TRACES_SAMPLER_ARG, undefined);
});
