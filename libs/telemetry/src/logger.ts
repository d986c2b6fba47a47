import { trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger, type LevelWithSilent, type LoggerOptions as PinoOptions } from 'pino';

export type { Logger };

export interface LoggerOptions {
  service: string;
  level?: LevelWithSilent;
  instanceId?: string;
  /** Where the JSON lines go; stdout by default. */
  destination?: DestinationStream;
}

// mysql2 puts the statement it ran, its values formatted in, on every query error as `sql`: a failed insert would
// log a password hash or a message's text. The error's class, message, code and stack say enough.
// A reason given as text (`{ err: err.message }`) is logged as it is: spread like an object it became one key per
// character.
const errWithoutSql = (err: unknown) => {
  if (typeof err !== 'object' || err === null) return err;
  const { sql: _sql, ...rest } = pino.stdSerializers.err(err as Error) as ReturnType<typeof pino.stdSerializers.err> & { sql?: unknown };
  return rest;
};

/** The one structured logger every app uses: JSON lines on stdout, tagged with service and instance. */
export function createLogger({ service, level = 'info', instanceId, destination }: LoggerOptions): Logger {
  const options: PinoOptions = {
    level,
    serializers: { err: errWithoutSql },
    base: { service, ...(instanceId ? { instance: instanceId } : {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    // With tracing on, every line logged while serving a request names its trace, so Jaeger and logs meet.
    mixin() {
      const context = trace.getActiveSpan()?.spanContext();
      return context ? { trace_id: context.traceId, span_id: context.spanId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything, for tests that would otherwise flood the runner's output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
