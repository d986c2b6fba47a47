import type { LogEvent } from 'kysely';
import type { Pool } from 'mysql2';
import { metricsFor, type PoolUsage } from '@douyin/metrics';

const OPERATIONS: Readonly<Record<string, string>> = {
  SelectQueryNode: 'select',
  InsertQueryNode: 'insert',
  UpdateQueryNode: 'update',
  DeleteQueryNode: 'delete',
};

/** Kysely's `log` hook as a duration histogram per statement kind (errors included, labelled apart). */
export function queryMetrics(service: string): (event: LogEvent) => void {
  const histogram = metricsFor(service).dbQueryDuration;
  return (event) => {
    const operation = OPERATIONS[event.query.query.kind] ?? 'other';
    histogram.observe({ operation, outcome: event.level === 'error' ? 'error' : 'ok' }, event.queryDurationMillis / 1000);
  };
}

// mysql2 keeps its pool state in underscored fields (stable across 3.x); there is no public accessor.
interface PoolInternals {
  config: { connectionLimit?: number };
  _allConnections: { length: number };
  _freeConnections: { length: number };
  _closed: boolean;
}

/** Reports a mysql2 pool's connections at every scrape while it is open; callers wait in `queue` (guardedPool). */
export function trackMysqlPool(service: string, pool: Pool, queue: { waiting(): number }): void {
  // Both weakly: the guarded pool holds the pool, and a closed one must not be kept for the metrics' sake.
  const ref = new WeakRef(pool as unknown as PoolInternals);
  const queueRef = new WeakRef(queue);
  metricsFor(service).trackPool((): PoolUsage | undefined => {
    const p = ref.deref();
    if (!p || p._closed) return undefined;
    const open = p._allConnections.length;
    return { max: p.config.connectionLimit ?? 0, open, in_use: open - p._freeConnections.length, waiting: queueRef.deref()?.waiting() ?? 0 };
  });
}

/** An embedded SQLite database is one connection that is always open. */
export function trackSqlite(service: string, database: { open: boolean }): void {
  const ref = new WeakRef(database);
  metricsFor(service).trackPool(() => (ref.deref()?.open ? { max: 1, open: 1, in_use: 0, waiting: 0 } : undefined));
}
