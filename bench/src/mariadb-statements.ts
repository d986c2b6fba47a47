import { createConnection, type Connection } from 'mysql2/promise';
import type { ReadCounters } from './counter-tally.js';
import { statusOf } from './bench-mariadb.js';

/** performance_schema counts statement time in picoseconds. */
const PICOSECONDS_PER_MICROSECOND = 1e6;

interface DigestRow {
  text: string;
  calls: string | number;
  picoseconds: string | number;
  rowsExamined: string | number;
}

// DATABASE_URL's user may not read performance_schema (it needs no such right to serve): its digests are left out.
const isAccessDenied = (err: unknown) => ['ER_TABLEACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR'].includes(String((err as { code?: unknown }).code));

/**
 * Calls, µs and rows examined of every statement shape (performance_schema's digests) run in `connection`'s database,
 * as counters named `<digest text>\t<measure>`, and the buffer pool's page reads (server-wide) under `buffer pool`.
 * Nothing but the page reads when the server runs without performance_schema, or its user may not read it.
 */
async function statementCounters(connection: Connection): Promise<Record<string, number>> {
  const rows = await digests(connection).catch((err: unknown) => (isAccessDenied(err) ? [] : Promise.reject(err)));
  const counters: Record<string, number> = {};
  const add = (name: string, value: number) => (counters[name] = (counters[name] ?? 0) + value);
  for (const row of rows) {
    add(`${row.text}\tcalls`, Number(row.calls));
    add(`${row.text}\tus`, Number(row.picoseconds) / PICOSECONDS_PER_MICROSECOND);
    add(`${row.text}\trows examined`, Number(row.rowsExamined));
  }
  counters['buffer pool\tpage reads'] = await statusOf(connection, 'Innodb_buffer_pool_read_requests');
  counters['buffer pool\tfrom disk'] = await statusOf(connection, 'Innodb_buffer_pool_reads');
  return counters;
}

async function digests(connection: Connection): Promise<DigestRow[]> {
  const [rows] = (await connection.query(
    `SELECT DIGEST_TEXT AS text, COUNT_STAR AS calls, SUM_TIMER_WAIT AS picoseconds, SUM_ROWS_EXAMINED AS rowsExamined
       FROM performance_schema.events_statements_summary_by_digest
      WHERE SCHEMA_NAME = DATABASE() AND DIGEST_TEXT IS NOT NULL AND DIGEST_TEXT NOT LIKE '%performance_schema%' AND DIGEST_TEXT NOT LIKE 'SHOW %'`,
  )) as unknown as [DigestRow[]];
  return rows;
}

/**
 * A counter reader of the statements the database at `url` ran, over one connection of its own kept until `hooks`
 * run: which statements a list's database cost grows in between scales, and whether it reads from disk.
 */
export function mariadbStatementCounters(
  hooks: { after(fn: () => unknown): void },
  url: string,
  connect: (url: string) => Promise<Connection> = (uri) => createConnection({ uri }),
): ReadCounters {
  const connection = connect(url);
  hooks.after(async () => (await connection).end());
  return async () => statementCounters(await connection);
}
