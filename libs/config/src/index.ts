export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
export {
  AuthEnv,
  DbEnv,
  MeshEnv,
  RateLimitEnv,
  RegistryEnv,
  RpcServerEnv,
  RuntimeEnv,
  ServerEnv,
  TelemetryEnv,
  PublishDrainEnv,
  portWithDefault,
  timerMs,
  withPublishDrain,
} from './fragments.js';
export {
  EMBEDDED_PORTS,
  EMBEDDED_SERVICES,
  serviceEnv,
  toDbConfig,
  toProcedureLimits,
  toServiceConfig,
  type MeshApp,
  type ProcedureLimits,
  type ServiceConfig,
} from './service-config.js';
export { StorageEnv, toStorageConfig } from './storage-config.js';
export { httpUrl } from './http-url.js';
export { parseStaticServices, type StaticEndpoint } from './static-services.js';
export { CacheEnv, toCacheConfig } from './cache-config.js';
export { looksLikePlaceholder } from './placeholder.js';
export { JWT_SECRET_MIN_LENGTH, jwtSecretProblem, toAuthConfig, type AuthConfig } from './auth-config.js';
