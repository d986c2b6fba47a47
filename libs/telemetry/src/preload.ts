// Loaded with `node --import` before the app's own modules, so the instrumentations can patch http, fastify,
// mysql2 and ioredis as the app imports them. Without a configured exporter it does nothing at all.
import { TelemetryEnv, loadConfigOrExit } from '@douyin/config';
import { tracingSettings } from './tracing-settings.js';

const settings = tracingSettings(loadConfigOrExit(TelemetryEnv), process.argv[1]);
if (settings.exporter !== 'none') {
  const { startTracing } = await import('./tracing.js');
  await startTracing(settings, process.argv[1]);
}
