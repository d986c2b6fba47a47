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

// An error is logged with its class, message (causes included), stack and its own fields of plain values: code,
// errno, statusCode, reason and the like. Objects hanging off it are left out, nested errors kept by the same rule:
// an HTTP client's error carries its response, whose request still holds the raw headers sent (the Consul ACL token
// among them), and ioredis's carries the command's arguments. mysql2 puts the statement it ran, its values formatted
// in, on every query error as `sql`: a failed insert would log a password hash or a message's text, so it goes too.
// A mesh error's `data` (code, reason, service) is kept, its plain values only.
// A reason given as text (`{ err: err.message }`) is logged as it is: spread like an object it became one key per
// character.
const isPlainValue = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);
const isSerializedError = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && 'stack' in value;

function plainFieldsOf(serialized: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (key === 'sql') continue;
    if (isPlainValue(value)) kept[key] = value;
    else if (key === 'aggregateErrors' && Array.isArray(value)) kept[key] = value.filter(isSerializedError).map(plainFieldsOf);
    else if (isSerializedError(value)) kept[key] = plainFieldsOf(value);
    else if (key === 'data' && typeof value === 'object') kept[key] = Object.fromEntries(Object.entries(value as object).filter(([, v]) => isPlainValue(v)));
  }
  return kept;
}

const safeErr = (err: unknown) => {
  if (typeof err !== 'object' || err === null) return err;
  return plainFieldsOf(pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>);
};

/** The one structured logger every app uses: JSON lines on stdout, tagged with service and instance. */
export function createLogger({ service, level = 'info', instanceId, destination }: LoggerOptions): Logger {
  const options: PinoOptions = {
    level,
    serializers: { err: safeErr },
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
