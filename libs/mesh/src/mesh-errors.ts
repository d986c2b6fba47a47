import { TRPCClientError } from '@trpc/client';
import type { AnyTRPCRouter, TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { WireError } from './wire.js';

/** What callers see in `err.data` of a mesh call's TRPCClientError. */
export interface MeshErrorData {
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  reason?: string;
  path: string;
  service: string;
}

/** Builds the TRPCClientError a mesh call rejects with, so callers read one shape for remote and transport failures. */
export function meshError(
  service: string,
  path: string,
  wire: WireError,
  httpStatus: number,
  cause?: Error,
): TRPCClientError<AnyTRPCRouter> {
  const data: MeshErrorData = { code: wire.code, httpStatus, reason: wire.reason, path, service };
  return new TRPCClientError(wire.message, {
    result: { error: { code: TRPC_ERROR_CODES_BY_KEY[wire.code], message: wire.message, data } },
    cause,
  });
}

/** The typed data of a mesh call's failure (code, reason, service), or undefined for any other error. */
export function meshErrorData(err: unknown): MeshErrorData | undefined {
  return err instanceof TRPCClientError ? (err.data as MeshErrorData | undefined) : undefined;
}
