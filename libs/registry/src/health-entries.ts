import type { ServiceInstance } from './types.js';

type Json = Record<string, unknown>;

const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function stringRecord(value: unknown): Record<string, string> {
  if (!isJson(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

const checksOf = (entry: unknown): unknown[] => (isJson(entry) && Array.isArray(entry.Checks) ? entry.Checks : []);

/** Whether every check of a `/v1/health/service/:name` entry (the node's included) passes, as `?passing` asks. */
const passes = (entry: unknown): boolean => checksOf(entry).every((check) => isJson(check) && check.Status === 'passing');

/**
 * Whether every check of an entry has run: Consul starts a new check critical with no output, which says nothing yet
 * of the instance (one that has just registered again, say). Maintenance mode (a check of its own, with notes and no
 * output) is an operator's word, as good as a check's.
 */
const inMaintenance = (check: unknown): boolean => isJson(check) && /^_(service|node)_maintenance/.test(text(check.CheckID));
const checked = (entry: unknown): boolean =>
  checksOf(entry).some(inMaintenance) || checksOf(entry).every((check) => isJson(check) && (check.Status === 'passing' || text(check.Output) !== ''));

const FILTERS = { passing: passes, checked, all: () => true } as const;

/**
 * Maps a `/v1/health/service/:name` answer to instances, skipping entries without an id or port; `only` keeps those
 * whose every check passes (as `?passing` would), or whose every check has run.
 */
export function toInstances(entries: unknown, { only = 'all' }: { only?: keyof typeof FILTERS } = {}): ServiceInstance[] {
  if (!Array.isArray(entries)) return [];
  const instances: ServiceInstance[] = [];
  for (const entry of entries) {
    if (!FILTERS[only](entry)) continue;
    const service = isJson(entry) && isJson(entry.Service) ? entry.Service : undefined;
    const node = isJson(entry) && isJson(entry.Node) ? entry.Node : {};
    if (!service || !text(service.ID) || typeof service.Port !== 'number') continue;
    instances.push({
      id: text(service.ID),
      service: text(service.Service),
      // Consul leaves Service.Address empty when the service registered without one: it lives at the node's address.
      address: text(service.Address) || text(node.Address),
      port: service.Port,
      tags: Array.isArray(service.Tags) ? service.Tags.filter((t): t is string => typeof t === 'string') : [],
      meta: stringRecord(service.Meta),
    });
  }
  return instances;
}
