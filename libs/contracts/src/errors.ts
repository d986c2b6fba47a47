import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';

/**
 * Domain reasons refine a tRPC code where callers must tell failures apart (a missing user and a missing
 * video are both NOT_FOUND, but the APK has a status code for each). They travel with the error over the mesh.
 */
export const Reason = {
  usernameTaken: 'username_taken',
  badCredentials: 'bad_credentials',
  userNotFound: 'user_not_found',
  /** Following or messaging oneself (the APK's 40007). */
  selfAction: 'self_action',
  databaseUnavailable: 'database_unavailable',
  videoNotFound: 'video_not_found',
  notAVideo: 'not_a_video',
  storageUnavailable: 'storage_unavailable',
  mediaUnavailable: 'media_unavailable',
  /** A comment that does not exist, was deleted, or is on another video (the APK's 40403). */
  commentNotFound: 'comment_not_found',
  /** A publish whose staged upload is not in the store (the APK's 50001: not the phone's doing). */
  stagedUploadMissing: 'staged_upload_missing',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

class ReasonCause extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
    readonly original?: unknown,
  ) {
    super(message);
    this.name = 'ReasonCause';
  }
}

/** A TRPCError that carries a domain reason across the mesh. */
export function domainError(code: TRPC_ERROR_CODE_KEY, reason: Reason, message: string, original?: unknown): TRPCError {
  return new TRPCError({ code, message, cause: new ReasonCause(reason, message, original) });
}
