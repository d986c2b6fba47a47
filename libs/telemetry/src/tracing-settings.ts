import { hostname } from 'node:os';
import type { TelemetryEnv } from '@douyin/config';

/** Where spans go, decided once per process from its environment. */
export interface TracingSettings {
  exporter: 'otlp' | 'jaeger' | 'none';
  /** OTLP/HTTP base URL (spans go to `<endpoint>/v1/traces`) or Jaeger collector URL. */
  endpoint: string;
  /** How OTLP/HTTP bodies are encoded. */
  protocol: 'http/protobuf' | 'http/json';
  serviceName: string;
  serviceVersion: string;
  instanceId: string;
  /** Whether incoming requests' trace context is continued: the mesh's callers', not the public's (the gateway). */
  continueIncomingTraces: boolean;
}

// Defaults of the OTLP/HTTP and Jaeger collector ports on the local host (Jaeger all-in-one serves both).
const OTLP_DEFAULT = 'http://localhost:4318';
const JAEGER_DEFAULT = 'http://localhost:14268/api/traces';

/** The app a process runs, from its entry script: apps/<name>/src/main.ts or apps/<name>/dist/src/main.js. */
export function appOfEntry(entry: string | undefined): string | undefined {
  return /(?:^|[\\/])apps[\\/]([\w-]+)[\\/]/.exec(entry ?? '')?.[1];
}

/** Tracing is off unless an exporter or an OTLP endpoint is configured: the embedded mode exports nothing. */
export function tracingSettings(env: ReturnType<typeof TelemetryEnv.parse>, entry: string | undefined, pid = process.pid): TracingSettings {
  const exporter = env.OTEL_TRACES_EXPORTER ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT ? 'otlp' : 'none');
  return {
    exporter,
    endpoint: exporter === 'jaeger' ? (env.OTEL_EXPORTER_JAEGER_ENDPOINT ?? JAEGER_DEFAULT) : (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? OTLP_DEFAULT).replace(/\/+$/, ''),
    protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL,
    serviceName: env.OTEL_SERVICE_NAME ?? appOfEntry(entry) ?? 'douyin',
    serviceVersion: env.SERVICE_VERSION,
    // Several replicas share a service name; host and pid tell their spans apart.
    instanceId: `${hostname()}-${pid}`,
    continueIncomingTraces: appOfEntry(entry) !== 'gateway',
  };
}
