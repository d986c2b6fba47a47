import assert from 'node:assert/strict';
import { TRPCError } from '@trpc/server';

const reasonOf = (err: TRPCError) => (err.cause as { reason?: string } | undefined)?.reason;

/** An assert.rejects validator: a TRPCError with this code and, when given, this domain reason. */
export function rejectsWith(code: TRPCError['code'], reason?: string) {
  return (err: unknown): true => {
    assert.ok(err instanceof TRPCError, `expected a TRPCError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (reason) assert.equal(reasonOf(err), reason);
    return true;
  };
}
