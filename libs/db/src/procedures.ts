import { sql, type Kysely } from 'kysely';
import { retryDeadlocks } from './transaction.js';

/**
 * Calls a MySQL/MariaDB stored procedure that runs one whole transaction (rolled back entirely on any error) and ends
 * with one SELECT, and returns that SELECT's rows. A deadlock victim is called again, as transactionWithRetry runs a
 * transaction again.
 */
export async function callTransactionProcedure<Row>(db: Kysely<any>, name: string, args: ReadonlyArray<number | string>): Promise<Row[]> {
  const { rows } = await retryDeadlocks(() => sql`CALL ${sql.id(name)}(${sql.join(args)})`.execute(db));
  // mysql2 answers a CALL with the procedure's result sets followed by the call's own status.
  const [resultSet] = rows as unknown as [Row[]];
  return resultSet;
}

/**
 * Calls a transaction procedure (callTransactionProcedure) whose last SELECT answers one row `changed`: true when the
 * procedure's write really inserted or deleted its row (and so moved its counters), false when it found nothing to do.
 */
export async function changedByProcedure(db: Kysely<any>, name: string, args: ReadonlyArray<number | string>): Promise<boolean> {
  const [result] = await callTransactionProcedure<{ changed: number }>(db, name, args);
  return result?.changed === 1;
}
