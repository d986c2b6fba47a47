import type { Socket } from 'node:net';
import type { MysqlOkPacket, MysqlPool, MysqlPoolConnection } from 'kysely';
import type { Pool, PoolConnection } from 'mysql2';

type QueryCallback = (error: unknown, result?: unknown) => void;

export interface PoolOptions {
  /** The deadline (epoch ms) of the call being served, if any: what it asks of the database is bounded by it. */
  deadline?: () => number | undefined;
}

/**
 * How long a statement may outlive its caller's deadline before its connection is reset: long enough that a statement
 * finishing a moment late costs no new connection, short enough that a silent server cannot hold connections.
 */
const STATEMENT_GRACE_MS = 1_000;

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
 *
 * Within a call's deadline, waiting for a free connection ends at the deadline, and a statement still unanswered
 * STATEMENT_GRACE_MS after it is abandoned with its connection. mysql2 has neither bound: a server that went silent
 * (a partition, a paused host) held every statement until TCP gave up after a quarter of an hour, requests queued for
 * the pool without end meanwhile, and when the path came back the held statements ran, writes their callers had long
 * been told had failed among them (a phone's retry then did them twice).
 */
export function guardedPool(pool: Pool, { deadline = () => undefined }: PoolOptions = {}): MysqlPool {
  const guarded = new WeakMap<PoolConnection, MysqlPoolConnection>();
  const handOut = (raw: PoolConnection) => guarded.get(raw) ?? guarded.set(raw, guard(raw, deadline)).get(raw)!;
  return {
    getConnection(callback) {
      const until = deadline();
      if (until === undefined) {
        pool.getConnection((err, raw) => (err ? callback(err, raw) : callback(null, handOut(raw))));
        return;
      }
      const left = until - Date.now();
      if (left <= 0) return process.nextTick(callback, deadlinePassed('before a connection was taken'));
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        callback(deadlinePassed('waiting for a free connection'), undefined as never);
      }, left);
      pool.getConnection((err, raw) => {
        // A connection that comes after its caller gave up goes straight back.
        if (answered) return raw?.release();
        clearTimeout(timer);
        answered = true;
        if (err) callback(err, raw);
        else callback(null, handOut(raw));
      });
    },
    end: (callback) => pool.end(callback),
  };
}

function guard(raw: PoolConnection, deadline: () => number | undefined): MysqlPoolConnection {
  let lost: unknown;
  // mysql2 reports a loss between statements (the server closed the socket) as the connection's 'error' event.
  raw.on('error', (err) => (lost ??= err));
  const onceLost = (sql: string, callback: QueryCallback) =>
    process.nextTick(() => (ROLLBACK.test(sql) ? callback(null, NOTHING_CHANGED) : callback(lost)));
  const abandon = () => {
    lost ??= statementAbandoned();
    // A reset, not mysql2's FIN: the kernel would go on retransmitting the unanswered statement, and a server
    // reached again would run it after all. Then mysql2 takes the connection out of the pool.
    (raw as unknown as { stream?: Socket }).stream?.resetAndDestroy();
    raw.destroy();
  };
  return {
    query(sql: string, parameters: unknown[], callback?: QueryCallback) {
      // Without a callback Kysely streams the rows; a stream reports a loss itself.
      if (!callback) return raw.query(sql, parameters) as never;
      if (lost !== undefined) return onceLost(sql, callback);
      const until = deadline();
      const left = until === undefined ? Infinity : until - Date.now();
      // A ROLLBACK is sent whatever the time: refused, it would leave its transaction open on a pooled connection.
      if (left <= 0 && !ROLLBACK.test(sql)) return process.nextTick(callback, deadlinePassed('before the statement was sent'));
      let answered = false;
      const timer = left === Infinity ? undefined : setTimeout(() => {
        answered = true;
        abandon();
        callback(lost);
      }, Math.max(left, 0) + STATEMENT_GRACE_MS);
      raw.query(sql, parameters, (err: unknown, result: unknown) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        if ((err as { fatal?: boolean } | null)?.fatal) lost ??= err;
        callback(err, result);
      });
    },
    release: () => raw.release(),
  } as MysqlPoolConnection;
}

/** Nothing was sent: the caller's deadline passed first. */
const deadlinePassed = (when: string) =>
  Object.assign(new Error(`the call's deadline passed ${when}`), { code: 'DB_DEADLINE_EXCEEDED' });

/** mysql2's own code for a statement that timed out: it was sent, so whether it took effect is unknown. */
const statementAbandoned = () =>
  Object.assign(new Error(`no answer ${STATEMENT_GRACE_MS} ms after the call's deadline: the statement was abandoned and its connection reset`), {
    code: 'PROTOCOL_SEQUENCE_TIMEOUT',
    fatal: true,
  });
