export { createRegistry } from './create-registry.js';
export { createConsulRegistry, type ConsulRegistryOptions } from './consul-registry.js';
export { createStaticRegistry, type StaticRegistryOptions } from './static-registry.js';
export type { InstanceRegistration, Registry, RegistryConfig, ServiceInstance } from './types.js';
