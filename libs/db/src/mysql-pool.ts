import type { Socket } from 'node:net';
import type { MysqlOkPacket, MysqlPool, MysqlPoolConnection } from 'kysely';
import type { Pool, PoolConnection } from 'mysql2';
import { COMMIT_BY_VARIABLE, COMMIT_TOO_LATE } from './procedures.js';

type QueryCallback = (error: unknown, result?: unknown) => void;

export interface DeadlineOptions {
  /** The deadline (epoch ms) of the call being served, if any: what it asks of the database is bounded by it. */
  deadline?: () => number | undefined;
}

/** What guardedPool knows of the connections mysql2 makes. */
export interface ConnectionDefaults {
  /** The innodb_lock_wait_timeout every new connection is given, in seconds. */
  lockWaitSeconds: number;
}

/**
 * How long before its call's deadline a statement stops waiting for a row lock: what is left for the statement to
 * finish, commit and answer. A write committed after its caller gave up would be done while the phone is told it
 * failed, and the phone's retry would do it twice (a second comment, a second message).
 */
const LOCK_WAIT_MARGIN_MS = 250;

/**
 * The lock wait, in InnoDB's whole seconds, that ends LOCK_WAIT_MARGIN_MS before a deadline `leftMs` away, up to the
 * connections' own, and at least a second (MySQL's least): with less left, a wait of no time at all would fail a
 * write that a lock held for a few milliseconds delays, while a second's wait overruns the deadline only when the lock
 * is held that long.
 */
export function lockWaitFor(leftMs: number, defaultSeconds: number): number {
  if (leftMs === Infinity) return defaultSeconds;
  return Math.max(1, Math.min(defaultSeconds, Math.floor((leftMs - LOCK_WAIT_MARGIN_MS) / 1_000)));
}

/**
 * How long before its call's deadline a procedure must have committed (COMMIT_BY_VARIABLE): what is left for the
 * COMMIT and the answer's way back to the caller.
 */
const COMMIT_MARGIN_MS = 100;

const CALL = /^\s*call\b/i;

/** Statements that may wait for a row lock: writes, locking reads, procedure calls, the start of a transaction. */
const MAY_WAIT_FOR_LOCKS = /^\s*(?:insert|update|delete|replace|call|start transaction|begin)\b|\bfor (?:update|share)\b|\block in share mode\b/i;

export interface GuardedPool extends MysqlPool {
  /** Callers waiting for a connection now. */
  waiting(): number;
}

// What a ROLLBACK answers on a connection that is already gone (see `answerLost`).
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
 * Within a call's deadline, a wait for a connection ends at the deadline, a statement is not sent after it, and one
 * still unanswered `graceMs` after it is abandoned with its connection. mysql2 has neither bound: a server that went
 * silent (a partition, a paused host) held every statement until TCP gave up after a quarter of an hour, requests
 * queued for the pool without end meanwhile, and when the path came back the held statements ran, writes their
 * callers had long been told had failed among them (a phone's retry then did them twice). Callers wait here, not in
 * mysql2's queue, which cannot let go of a caller that gave up: at most `size` connections are ever asked of it.
 */
export function guardedPool(
  pool: Pool,
  size: number,
  graceMs: number,
  { deadline = () => undefined }: DeadlineOptions = {},
  defaults: ConnectionDefaults = { lockWaitSeconds: 50 },
): GuardedPool {
  let free = size;
  // Insertion-ordered: the longest waiting is served first.
  const waiting = new Set<() => void>();
  const giveBack = () => {
    const next = waiting.values().next();
    if (next.done) free += 1;
    else {
      waiting.delete(next.value);
      next.value();
    }
  };
  const guarded = new WeakMap<PoolConnection, Guarded>();
  const guardOf = (raw: PoolConnection) => guarded.get(raw) ?? guarded.set(raw, guard(raw, giveBack, graceMs, deadline, defaults)).get(raw)!;

  return {
    getConnection(callback) {
      const until = deadline();
      const left = until === undefined ? Infinity : until - Date.now();
      if (left <= 0) return process.nextTick(callback, deadlinePassed('before a connection was taken'));
      let answered = false;
      const answer = (err: unknown, connection?: MysqlPoolConnection): boolean => {
        if (answered) return false;
        answered = true;
        clearTimeout(timer);
        callback(err, connection as MysqlPoolConnection);
        return true;
      };
      const take = () =>
        pool.getConnection((err, raw) => {
          if (err) {
            giveBack();
            answer(err);
            return;
          }
          const connection = guardOf(raw).checkOut();
          // A connection that comes after its caller gave up goes straight back.
          if (!answer(null, connection)) connection.release();
        });
      const timer = left === Infinity ? undefined : setTimeout(() => {
        waiting.delete(take);
        answer(deadlinePassed('waiting for a free connection'));
      }, left);
      if (free > 0) {
        free -= 1;
        take();
      } else waiting.add(take);
    },
    end(callback) {
      pool.end(callback);
      // Those still waiting are answered by the closed pool, or they would wait for ever.
      for (const take of [...waiting]) {
        waiting.delete(take);
        take();
      }
    },
    waiting: () => waiting.size,
  };
}

interface Guarded {
  checkOut(): MysqlPoolConnection;
}

function guard(raw: PoolConnection, giveBack: () => void, graceMs: number, deadline: () => number | undefined, defaults: ConnectionDefaults): Guarded {
  let lost: unknown;
  let out = false;
  // The session's lock wait as last set; NaN once a change may not have taken.
  let lockWait = defaults.lockWaitSeconds;
  // Whether the session's commit-by (see createTransactionProcedure) may hold a value: a call without a deadline must
  // not be held to an earlier call's.
  let commitBySet = false;
  // One SET queued before the statement on the same connection, which runs them in order: a round trip more, paid by a
  // statement that may wait for a lock on a connection whose last one had another whole number of seconds left, and by
  // every procedure call with a deadline, which learns by when it must commit.
  const fitSession = (sql: string, left: number) => {
    const wanted = lockWaitFor(left, defaults.lockWaitSeconds);
    // Compared first: the common case, a value already set, costs no scan of the statement's text.
    const waitChanges = wanted !== lockWait && MAY_WAIT_FOR_LOCKS.test(sql);
    const commitBy = (left !== Infinity || commitBySet) && CALL.test(sql);
    if (!waitChanges && !commitBy) return;
    const assignments = [];
    if (waitChanges) assignments.push(`SESSION innodb_lock_wait_timeout = ${wanted}`);
    if (commitBy) {
      commitBySet = left !== Infinity;
      const seconds = Math.max(0, left - COMMIT_MARGIN_MS) / 1_000;
      assignments.push(`${COMMIT_BY_VARIABLE} = ${commitBySet ? `UNIX_TIMESTAMP(SYSDATE(6)) + ${seconds.toFixed(3)}` : 'NULL'}`);
    }
    if (waitChanges) lockWait = wanted;
    raw.query(`SET ${assignments.join(', ')}`, (err: unknown) => {
      if (!err) return;
      if (waitChanges) lockWait = NaN;
      // Unknown: the next call sets it whatever it holds.
      commitBySet = true;
    });
  };
  // mysql2 reports a loss between statements (the server closed the socket) as the connection's 'error' event.
  raw.on('error', (err) => (lost ??= err));
  const answerLost = (sql: string, callback: QueryCallback) => (ROLLBACK.test(sql) ? callback(null, NOTHING_CHANGED) : callback(lost));
  const abandon = () => {
    lost ??= statementAbandoned(graceMs);
    const socket = (raw as unknown as { stream?: Socket }).stream;
    try {
      // A reset, not mysql2's FIN: the kernel would go on retransmitting the unanswered statement, and a server
      // reached again would run it after all.
      socket?.resetAndDestroy();
    } catch {
      socket?.destroy(); // a TLS or unix socket cannot be reset
    }
    raw.destroy();
  };
  const connection = {
    query(sql: string, parameters: unknown[], callback?: QueryCallback) {
      // Kysely streams rows through this overload alone, and no service streams: it is passed through, unbounded.
      if (!callback) return raw.query(sql, parameters) as never;
      if (lost !== undefined) return process.nextTick(answerLost, sql, callback);
      const until = deadline();
      const left = until === undefined ? Infinity : until - Date.now();
      // A ROLLBACK is sent whatever the time: refused, it would leave its transaction open on a pooled connection.
      if (left <= 0 && !ROLLBACK.test(sql)) return process.nextTick(callback, deadlinePassed('before the statement was sent'));
      fitSession(sql, left);
      let answered = false;
      let timer: NodeJS.Timeout | undefined;
      // mysql2 answers at once when it refuses the command, so the timer starts after it took the statement.
      raw.query(sql, parameters, (err: unknown, result: unknown) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        if ((err as { fatal?: boolean } | null)?.fatal) lost ??= err;
        callback(committedTooLate(err) ? deadlinePassed('before the commit: the transaction was rolled back') : err, result);
      });
      if (answered || left === Infinity) return;
      timer = setTimeout(() => {
        answered = true;
        abandon();
        answerLost(sql, callback);
      }, Math.max(left, 0) + graceMs);
    },
    release() {
      if (!out) return;
      out = false;
      raw.release(); // nothing when the connection was destroyed: mysql2 took it out of the pool
      giveBack();
    },
  } as MysqlPoolConnection;
  return {
    checkOut() {
      out = true;
      return connection;
    },
  };
}

/** A procedure refused to commit past its caller's deadline (createTransactionProcedure): nothing was kept. */
const committedTooLate = (err: unknown) => (err as { sqlMessage?: unknown } | null)?.sqlMessage === COMMIT_TOO_LATE;

/** Nothing was sent or kept: the caller's deadline passed first. */
const deadlinePassed = (when: string) =>
  Object.assign(new Error(`the call's deadline passed ${when}`), { code: 'DB_DEADLINE_EXCEEDED' });

/** mysql2's own code for a statement that timed out: it was sent, so whether it took effect is unknown. */
const statementAbandoned = (graceMs: number) =>
  Object.assign(new Error(`no answer ${graceMs} ms after the call's deadline: the statement was abandoned and its connection reset`), {
    code: 'PROTOCOL_SEQUENCE_TIMEOUT',
    fatal: true,
  });
