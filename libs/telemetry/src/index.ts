export { flushTraces } from './flush.js';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './logger.js';
export { outsideRequests } from './outside-requests.js';
export { appOfEntry, tracingSettings, type TracingSettings } from './tracing-settings.js';
