// mysql2 errors carry `code` (ER_* from the server, E* from the socket, PROTOCOL_* from the driver);
// better-sqlite3 errors carry the extended result code, e.g. SQLITE_CONSTRAINT_UNIQUE.

const UNIQUE_CODES = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

// Failures of reaching the database rather than of the statement: retrying later or elsewhere may succeed.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  // The caller's deadline passed before a statement was sent (guardedPool): mostly while it waited for a connection
  // the database's slowness held; a caller out of time for other reasons no longer waits for the answer.
  'DB_DEADLINE_EXCEEDED',
  'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED',
  // The MySQL counterpart of SQLITE_BUSY: another transaction held the lock for too long.
  'ER_LOCK_WAIT_TIMEOUT',
  // A deadlock victim (transaction.ts) that reaches a caller was run again as often as its write allows: contention
  // that a retry a moment later gets through, not a fault of the statement.
  'ER_LOCK_DEADLOCK', 'ER_AUTOINC_READ_FAILED',
]);
const UNAVAILABLE_SQLITE_PREFIXES = ['SQLITE_BUSY', 'SQLITE_CANTOPEN'];

// The connection went away with a statement sent: the server may have run it, and may still be running it.
const CONNECTION_LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CONNECTION_KILLED']);

/** True when a write failed on a UNIQUE or PRIMARY KEY constraint, on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  return codesOf(err).some((code) => UNIQUE_CODES.has(code));
}

/** True when the database could not be reached or was too busy, as opposed to the statement being wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  return codesOf(err).some(
    (code) => UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SQLITE_PREFIXES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`)),
  );
}

// Collects codes along `cause` chains and AggregateError members (Node reports a failed dual-stack connect
// as an AggregateError), so a caller that wrapped the driver error with `cause` is still recognised.
function codesOf(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 5) return [];
  const codes: string[] = [];
  if ('code' in err && typeof err.code === 'string') codes.push(err.code);
  if ('cause' in err) codes.push(...codesOf(err.cause, depth + 1));
  if (err instanceof AggregateError) for (const inner of err.errors) codes.push(...codesOf(inner, depth + 1));
  return codes;
}

/**
 * True when the connection was lost while a statement was out, so whether it took effect is unknown: unlike a refusal
 * the server sent (a lock wait timed out, too many connections) or a statement never sent (a connection refused).
 */
export function isConnectionLost(err: unknown): boolean {
  return codesOf(err).some((code) => CONNECTION_LOST_CODES.has(code));
}

/** The database as a dependency whose outage a service reports as SERVICE_UNAVAILABLE / database_unavailable. */
export const databaseUnavailable = { reason: 'database_unavailable', isDown: isDatabaseUnavailable } as const;
