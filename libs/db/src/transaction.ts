import type { Kysely, Transaction } from 'kysely';

// InnoDB resolves a lock cycle by rolling one transaction back with ER_LOCK_DEADLOCK; a victim that was waiting for
// a table's auto-increment lock (an INSERT ... SELECT) is reported as ER_AUTOINC_READ_FAILED instead, rolled back all
// the same. SQLite serialises writers instead.
const DEADLOCK_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_AUTOINC_READ_FAILED']);
const DEFAULT_ATTEMPTS = 5;

/** True when the database rolled the transaction back to break a deadlock: running it again is safe. */
export function isDeadlock(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && DEADLOCK_CODES.has(err.code);
}

class RolledBack<T> {
  constructor(readonly value: T) {}
}

/** Ends the transaction with a rollback instead of a commit, and makes transactionWithRetry resolve with `value`. */
export type Rollback<T> = (value: T) => never;

/**
 * Runs `fn` again (up to `attempts` times in all) when the database aborted it as a deadlock victim. `fn` must be one
 * whole transaction (the victim was rolled back entirely) with no side effects outside the database.
 */
export async function retryDeadlocks<T>(fn: () => Promise<T>, attempts = DEFAULT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isDeadlock(err) || attempt >= attempts) throw err;
    }
  }
}

/**
 * Runs `fn` in a transaction and runs it again (up to `attempts` times in all) when the database aborted it as a
 * deadlock victim. Concurrent INSERT IGNORE/DELETE of one unique key can deadlock on InnoDB by design; the victim
 * was rolled back entirely, so `fn` must only touch the database (no side effects outside it). `fn` may call
 * `rollback` to undo what it wrote so far (say, an optimistic counter change whose row turned out not to change).
 */
export function transactionWithRetry<DB, T>(
  db: Kysely<DB>,
  fn: (trx: Transaction<DB>, rollback: Rollback<T>) => Promise<T>,
  attempts = DEFAULT_ATTEMPTS,
): Promise<T> {
  const rollback: Rollback<T> = (value) => {
    // Thrown, so Kysely rolls back; not an Error, because nothing failed and no stack is worth capturing.
    throw new RolledBack(value);
  };
  return retryDeadlocks(async () => {
    try {
      return await db.transaction().execute((trx) => fn(trx, rollback));
    } catch (err) {
      if (err instanceof RolledBack) return err.value as T;
      throw err;
    }
  }, attempts);
}
