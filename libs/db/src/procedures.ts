import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';
import { retryDeadlocks } from './transaction.js';

/** A MySQL/MariaDB stored procedure that runs one whole transaction and answers its caller with one SELECT. */
export interface TransactionProcedure {
  /**
   * Versioned (`_v1`): a procedure whose parameters or meaning change gets a new name in a new migration, so that
   * instances of the previous release keep calling the one they know during a rolling update.
   */
  name: string;
  /** As CREATE PROCEDURE takes them: `IN p_user BIGINT, IN p_delta INT`. */
  parameters: string;
  /** Local variables: `changed INT DEFAULT 0`. */
  variables?: readonly string[];
  /** Statements before the transaction starts, each committed on its own. */
  before?: string;
  /** The transaction's statements. They may ROLLBACK to keep nothing; the COMMIT that follows then has nothing to do. */
  transaction: string;
  /** The SELECT answering the caller, once the transaction has ended. */
  answer: string;
}

/**
 * The session variable a procedure's commit is bounded by: epoch seconds (fractional) by which it must commit, set
 * before every CALL from the caller's deadline (guardedPool), NULL for a call that has none.
 */
export const COMMIT_BY_VARIABLE = '@douyin_commit_by';

/** What a procedure that reached its commit past COMMIT_BY_VARIABLE signals, having rolled its transaction back. */
export const COMMIT_TOO_LATE = "douyin: the call's deadline passed before its commit";

/**
 * Creates a transaction procedure on MySQL/MariaDB; on the embedded SQLite, which runs the same statements itself,
 * nothing. Any error inside rolls the transaction back before it reaches the caller (an EXIT handler: ROLLBACK, then
 * RESIGNAL), so that a failed call never leaves its pooled connection in an open transaction holding its locks.
 *
 * A transaction that reaches its COMMIT after its caller's deadline keeps nothing: InnoDB bounds each lock wait, not
 * the call, and a procedure may wait more than once (or a second at least, whatever the budget), so a write would
 * otherwise commit after the phone was told it failed, and the phone's retry write it twice.
 */
export async function createTransactionProcedure(db: Kysely<any>, procedure: TransactionProcedure): Promise<void> {
  if (dialectOf(db) !== 'mysql') return;
  const variables = (procedure.variables ?? []).map((variable) => `DECLARE ${variable};`).join('\n  ');
  await sql`
CREATE PROCEDURE ${sql.id(procedure.name)}(${sql.raw(procedure.parameters)})
  MODIFIES SQL DATA
BEGIN
  ${sql.raw(variables)}
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  ${sql.raw(procedure.before ?? '')}
  START TRANSACTION;
  ${sql.raw(procedure.transaction)}
  IF ${sql.raw(COMMIT_BY_VARIABLE)} IS NOT NULL AND UNIX_TIMESTAMP(SYSDATE(6)) > ${sql.raw(COMMIT_BY_VARIABLE)} THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = ${sql.lit(COMMIT_TOO_LATE)};
  END IF;
  COMMIT;
  ${sql.raw(procedure.answer)};
END`.execute(db);
}

/** Drops a procedure createTransactionProcedure made (nothing on SQLite). */
export async function dropProcedure(db: Kysely<any>, name: string): Promise<void> {
  if (dialectOf(db) !== 'mysql') return;
  await sql`DROP PROCEDURE IF EXISTS ${sql.id(name)}`.execute(db);
}

/**
 * Calls a transaction procedure and returns the rows of its answer. A deadlock victim is called again, as
 * transactionWithRetry runs a transaction again.
 */
export async function callTransactionProcedure<Row>(db: Kysely<any>, name: string, args: ReadonlyArray<number | string>): Promise<Row[]> {
  const { rows } = await retryDeadlocks(() => sql`CALL ${sql.id(name)}(${sql.join(args)})`.execute(db));
  // mysql2 answers a CALL with the procedure's result sets followed by the call's own status.
  const [resultSet] = rows as unknown as [Row[]];
  return resultSet;
}

/**
 * Calls a transaction procedure whose answer is one row `changed`: true when the procedure's write really inserted or
 * deleted its row (and so moved its counters), false when it found nothing to do.
 */
export async function changedByProcedure(db: Kysely<any>, name: string, args: ReadonlyArray<number | string>): Promise<boolean> {
  const [result] = await callTransactionProcedure<{ changed: number }>(db, name, args);
  return result?.changed === 1;
}
