import { TRPCError } from '@trpc/server';
import { currentScope, type CallScope } from './call-scope.js';

/**
 * Less than this left before the call's deadline (which already keeps its answer's travel time back: callDeadline), a
 * write is not started: committed after its caller gave up, it would be done while the phone was told it failed, and
 * the phone's retry would do it twice (a second comment, a second message, a sign-up answered "name taken").
 */
const WRITE_MARGIN_MS = 100;

/**
 * Throws TIMEOUT when the call being served has too little budget left to write and answer. The dispatcher checks
 * it as a mutation starts; a mutation checks again right before it writes, after whatever came first took its time
 * (a lookup in another service, a password hash).
 */
export function ensureTimeToWrite(scope: CallScope | undefined = currentScope()): void {
  if (scope && scope.deadline - Date.now() < WRITE_MARGIN_MS) {
    throw new TRPCError({ code: 'TIMEOUT', message: 'too little of the deadline left to write and answer in time' });
  }
}
