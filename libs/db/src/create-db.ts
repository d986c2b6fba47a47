import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import { createPool } from 'mysql2';
import { SqliteIntegerPlugin, mysqlNumberOptions } from './integers.js';
import { guardedPool, type DeadlineOptions } from './mysql-pool.js';
import { queryMetrics, trackMysqlPool, trackSqlite } from './query-metrics.js';

export interface DbConfig {
  /** mysql://user:password@host:port/database; unset = embedded SQLite. */
  url?: string;
  /** Where the SQLite file lives when `url` is unset. */
  dataDir: string;
  /** The owning service, e.g. 'user'; names the SQLite file. */
  name: string;
  /** MySQL connections per process. */
  poolSize?: number;
}

/** The longest a MySQL statement waits for a row lock, in seconds (see openMysql). */
const LOCK_WAIT_SECONDS = 5;

/**
 * How long a statement may outlive its caller's deadline before it is abandoned (see guardedPool): by then one that
 * waited for a row lock has its answer, so a server that is merely busy costs no connection; one that has none is on
 * a server gone silent.
 */
const STATEMENT_GRACE_MS = LOCK_WAIT_SECONDS * 1_000 + 1_000;

/**
 * MySQL/MariaDB pool (mysql2) when url is set, else an embedded SQLite file `${dataDir}/${name}.sqlite` (better-sqlite3).
 * On MySQL, `options.deadline` bounds what a call asks of the database (see guardedPool); SQLite runs in the process
 * and has no connection to lose.
 */
export function createDb<T>(config: DbConfig, options: DeadlineOptions = {}): Kysely<T> {
  return config.url ? openMysql<T>(config.url, config.poolSize ?? 10, config.name, options) : openSqlite<T>(config.dataDir, config.name);
}

function openMysql<T>(url: string, poolSize: number, name: string, options: DeadlineOptions): Kysely<T> {
  const pool = createPool({
    uri: url,
    ...mysqlNumberOptions,
    // Times are stored as epoch ms; UTC keeps any DATETIME the server computes independent of the host zone.
    timezone: 'Z',
    // utf8mb4, not MySQL's 3-byte utf8: emoji in names and comments must round-trip.
    charset: 'utf8mb4',
    connectionLimit: poolSize,
    // Fail fast when the server is unreachable so callers can report SERVICE_UNAVAILABLE.
    connectTimeout: 5_000,
    // A server host that vanished without closing (a lost node, a partition) leaves an idle connection dead: with
    // probes after 10 s idle the kernel notices in minutes (Linux probes nine times, 75 s apart) instead of two
    // hours. A statement already waiting on it is bounded by its caller's deadline instead (guardedPool).
    keepAliveInitialDelay: 10_000,
  });
  // A statement waits for a row lock at most LOCK_WAIT_SECONDS, not InnoDB's 50 s, and a call's statements only until
  // shortly before its deadline (guardedPool): a longer wait only ever commits after its caller gave up; and a write
  // whose connection was lost ends within a bound the cache's second invalidation counts on (libs/cache
  // invalidating-write.ts). mysql2 runs it before the
  // connection's first query; a connection that broke meanwhile fails that query, and a server that refused the
  // setting (none known does) would leave the connection at its default. Metadata locks (DDL) keep their own wait.
  pool.on('connection', (connection) => connection.query(`SET SESSION innodb_lock_wait_timeout = ${LOCK_WAIT_SECONDS}`, () => undefined));
  const guarded = guardedPool(pool, poolSize, STATEMENT_GRACE_MS, options, { lockWaitSeconds: LOCK_WAIT_SECONDS });
  trackMysqlPool(name, pool, guarded);
  return new Kysely<T>({ dialect: new MysqlDialect({ pool: guarded }), log: queryMetrics(name) });
}

function openSqlite<T>(dataDir: string, name: string): Kysely<T> {
  mkdirSync(dataDir, { recursive: true });
  const database = new Database(join(dataDir, `${name}.sqlite`), { timeout: 5_000 });
  // WAL lets readers proceed during a write; busy_timeout (the `timeout` above) waits for another process's lock.
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  // Integers arrive as bigint and SqliteIntegerPlugin decides number vs string, instead of silent rounding.
  database.defaultSafeIntegers(true);
  trackSqlite(name, database);
  return new Kysely<T>({ dialect: new SqliteDialect({ database }), plugins: [new SqliteIntegerPlugin()], log: queryMetrics(name) });
}
