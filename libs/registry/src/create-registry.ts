import { createConsulRegistry } from './consul-registry.js';
import { createStaticRegistry } from './static-registry.js';
import type { Registry, RegistryConfig } from './types.js';

/** Consul when consulUrl is set, else the static list. */
export function createRegistry({ consulUrl, consulToken, staticServices, logger }: RegistryConfig): Registry {
  if (consulUrl) return createConsulRegistry({ consulUrl, consulToken, logger });
  return createStaticRegistry({ staticServices, logger });
}
