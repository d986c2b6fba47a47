import { trace } from '@opentelemetry/api';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  service: string;
  level?: LevelWithSilent;
  instanceId?: string;
}

/** The one structured logger every app uses: JSON lines on stdout, tagged with service and instance. */
export function createLogger({ service, level = 'info', instanceId }: LoggerOptions): Logger {
  return pino({
    level,
    base: { service, ...(instanceId ? { instance: instanceId } : {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    // With tracing on, every line logged while serving a request names its trace, so Jaeger and logs meet.
    mixin() {
      const context = trace.getActiveSpan()?.spanContext();
      return context ? { trace_id: context.traceId, span_id: context.spanId } : {};
    },
  });
}

/** A logger that drops everything, for tests that would otherwise flood the runner's output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
