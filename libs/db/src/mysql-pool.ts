import type { MysqlOkPacket, MysqlPool, MysqlPoolConnection } from 'kysely';
import type { Pool, PoolConnection } from 'mysql2';

type QueryCallback = (error: unknown, result?: unknown) => void;

// What a ROLLBACK answers on a connection that is already gone (see `onceLost`).
const NOTHING_CHANGED: MysqlOkPacket = { affectedRows: 0, changedRows: 0, insertId: 0 };
const ROLLBACK = /^\s*rollback\s*$/i;

/**
 * The mysql2 pool as Kysely draws from it, each connection guarded: once a connection is lost, every statement Kysely
 * still sends on it fails with that loss. Kysely answers a failed statement in a transaction with a ROLLBACK and
 * throws what the ROLLBACK threw; mysql2 refuses any command on a dead connection with an error of no code, so a
 * COMMIT whose connection was lost surfaced as "Can't add new command when connection is in closed state", hiding
 * both that the database is what failed and that the COMMIT's outcome is unknown. The server rolls back a lost
 * connection's transaction by itself, so that ROLLBACK answers as done and the loss is what is thrown.
 */
export function guardedPool(pool: Pool): MysqlPool {
  const guarded = new WeakMap<PoolConnection, MysqlPoolConnection>();
  return {
    getConnection(callback) {
      pool.getConnection((err, raw) => {
        if (err) return callback(err, raw);
        callback(null, guarded.get(raw) ?? guarded.set(raw, guard(raw)).get(raw)!);
      });
    },
    end: (callback) => pool.end(callback),
  };
}

function guard(raw: PoolConnection): MysqlPoolConnection {
  let lost: unknown;
  // mysql2 reports a loss between statements (the server closed the socket) as the connection's 'error' event.
  raw.on('error', (err) => (lost ??= err));
  const onceLost = (sql: string, callback: QueryCallback) =>
    process.nextTick(() => (ROLLBACK.test(sql) ? callback(null, NOTHING_CHANGED) : callback(lost)));
  return {
    query(sql: string, parameters: unknown[], callback?: QueryCallback) {
      // Without a callback Kysely streams the rows; a stream reports a loss itself.
      if (!callback) return raw.query(sql, parameters) as never;
      if (lost !== undefined) return onceLost(sql, callback);
      raw.query(sql, parameters, (err: unknown, result: unknown) => {
        if ((err as { fatal?: boolean } | null)?.fatal) lost ??= err;
        callback(err, result);
      });
    },
    release: () => raw.release(),
  } as MysqlPoolConnection;
}
