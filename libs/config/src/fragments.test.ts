import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { MeshEnv, PublishDrainEnv, RateLimitEnv, RegistryEnv, ServerEnv, TelemetryEnv, loadConfig, withPublishDrain } from '@douyin/config';
import { problemsOf } from '../test/problems.js';

test('a URL setting written without http:// or https:// is refused, naming the form expected', () => {
  // z.url() alone took these as the schemes `consul:` and `localhost:` with no host.
  assert.deepEqual(problemsOf(RegistryEnv, { CONSUL_HTTP_ADDR: 'consul:8500' }), ['CONSUL_HTTP_ADDR: must be an http:// or https:// URL, e.g. http://consul:8500']);
  assert.deepEqual(problemsOf(TelemetryEnv, { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318', OTEL_EXPORTER_JAEGER_ENDPOINT: 'jaeger:14268/api/traces' }), [
    'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL, e.g. http://jaeger:4318',
    'OTEL_EXPORTER_JAEGER_ENDPOINT: must be an http:// or https:// URL, e.g. http://jaeger:14268/api/traces',
  ]);
  for (const url of ['http:consul:8500', 'ftp://consul:8500', 'consul', 'http://']) {
    assert.match(problemsOf(RegistryEnv, { CONSUL_HTTP_ADDR: url }).join(), /^CONSUL_HTTP_ADDR: must be an http/, url);
    assert.match(problemsOf(TelemetryEnv, { OTEL_EXPORTER_OTLP_ENDPOINT: url }).join(), /^OTEL_EXPORTER_OTLP_ENDPOINT: must be an http/, url);
  }
  for (const url of ['http://consul:8500', 'https://consul.example.com:8501/', 'http://[::1]:8500']) {
    assert.equal(loadConfig(RegistryEnv, { CONSUL_HTTP_ADDR: url }).CONSUL_HTTP_ADDR, url);
  }
  const tracing = loadConfig(TelemetryEnv, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com/ingest', OTEL_EXPORTER_JAEGER_ENDPOINT: 'http://jaeger:14268/api/traces' });
  assert.equal(tracing.OTEL_EXPORTER_OTLP_ENDPOINT, 'https://otel.example.com/ingest');
  assert.equal(tracing.OTEL_EXPORTER_JAEGER_ENDPOINT, 'http://jaeger:14268/api/traces');
});

test('CONSUL_HTTP_ADDR is refused with a path, query or credentials: the registry keeps only scheme, host and port', () => {
  for (const url of ['http://consul:8500/v1', 'http://proxy/consul/', 'http://consul:8500?dc=eu', 'http://user:secret@consul:8500']) {
    assert.deepEqual(problemsOf(RegistryEnv, { CONSUL_HTTP_ADDR: url }), ['CONSUL_HTTP_ADDR: must be an http:// or https:// URL without path, query or credentials, e.g. http://consul:8500'], url);
  }
});

test('a time past what a Node timer holds is refused, rather than firing after 1 ms', () => {
  const Schema = z.object({ ...ServerEnv.shape, ...MeshEnv.shape, ...RateLimitEnv.shape });
  const longest = loadConfig(Schema, { SHUTDOWN_GRACE_MS: '2147483647', MESH_BREAKER_RESET_MS: '2147483647', LOGIN_BLOCK_SECONDS: '2147483' });
  assert.deepEqual([longest.SHUTDOWN_GRACE_MS, longest.MESH_BREAKER_RESET_MS, longest.LOGIN_BLOCK_SECONDS], [2_147_483_647, 2_147_483_647, 2_147_483]);
  assert.deepEqual(problemsOf(Schema, { SHUTDOWN_GRACE_MS: '9999999999', MESH_BREAKER_RESET_MS: '2147483648', LOGIN_BLOCK_SECONDS: '2147484' }), [
    'SHUTDOWN_GRACE_MS: at most 2147483647 ms: Node fires a timer longer than 2147483647 ms (about 24.8 days) at once',
    'MESH_BREAKER_RESET_MS: at most 2147483647 ms: Node fires a timer longer than 2147483647 ms (about 24.8 days) at once',
    'LOGIN_BLOCK_SECONDS: at most 2147483 s: Node fires a timer longer than 2147483647 ms (about 24.8 days) at once',
  ]);
});

test('a call budget leaves room for the timers that run past it: a drain, a statement grace, an idle timeout', () => {
  assert.match(problemsOf(MeshEnv, { MESH_TIMEOUT_MS: '2147483647' }).join(), /^MESH_TIMEOUT_MS: at most 2147423647 ms/);
  assert.match(problemsOf(PublishDrainEnv, { PUBLISH_TIMEOUT_MS: '2147483647' }).join(), /^PUBLISH_TIMEOUT_MS: at most 2147423647 ms/);
  assert.equal(loadConfig(MeshEnv, { MESH_TIMEOUT_MS: '2147423647' }).MESH_TIMEOUT_MS, 2_147_423_647);
  const drain = withPublishDrain(loadConfig(PublishDrainEnv, { PUBLISH_TIMEOUT_MS: '2147423647' })).SHUTDOWN_GRACE_MS;
  assert.ok(drain <= 2_147_483_647, `a drain of ${drain} ms would end at once`);
});

test('STATIC_SERVICES takes what the static registry reads, spaces around commas and semicolons included', () => {
  for (const spec of ['user=127.0.0.1:9101, 127.0.0.1:9111', ' user = 127.0.0.1:9101 , 127.0.0.1:9111 ;video=localhost:9102; gw=[::1]:8080;']) {
    assert.equal(loadConfig(RegistryEnv, { STATIC_SERVICES: spec }).STATIC_SERVICES, spec);
  }
});

test('STATIC_SERVICES refuses what the static registry could not read, naming the bad entry', () => {
  const bad: [string, string][] = [
    ['user127.0.0.1:9101', 'bad entry "user127.0.0.1:9101", expected name=host:port[,host:port]'],
    ['user=127.0.0.1', 'bad address "127.0.0.1" in "user=127.0.0.1", expected host:port'],
    ['user=127.0.0.1:99999', 'bad address "127.0.0.1:99999" in "user=127.0.0.1:99999", expected host:port'],
    ['user=127.0.0.1:9101,', 'bad address "" in "user=127.0.0.1:9101,", expected host:port'],
    ['user=a:1;user=b:2', '"user" is listed twice'],
    ['user=127.0.0 .1:9101', 'bad address "127.0.0 .1:9101" in "user=127.0.0 .1:9101", expected host:port'],
    [' ; ', 'expected name=host:port[,host:port][;name=...]'],
  ];
  for (const [spec, problem] of bad) assert.deepEqual(problemsOf(RegistryEnv, { STATIC_SERVICES: spec }), [`STATIC_SERVICES: ${problem}`], spec);
});
