import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

/** The APK's status codes (contract §8.2). */
export const ApkCode = {
  ok: 0,
  missingParam: 40001,
  malformedParam: 40002,
  outOfRange: 40003,
  badActionType: 40004,
  notAVideo: 40005,
  uploadTooLarge: 40006,
  selfAction: 40007,
  tokenMissing: 40101,
  tokenInvalid: 40102,
  badCredentials: 40103,
  forbidden: 40301,
  userNotFound: 40401,
  videoNotFound: 40402,
  commentNotFound: 40403,
  routeNotFound: 40404,
  usernameTaken: 40901,
  rateLimited: 42901,
  internal: 50001,
  databaseUnavailable: 50301,
  storageUnavailable: 50302,
  serviceUnavailable: 50303,
  mediaUnavailable: 50304,
} as const;
export type ApkCode = (typeof ApkCode)[keyof typeof ApkCode];

/** An error the gateway itself raises, already in APK terms. */
export class ApkError extends Error {
  constructor(
    readonly code: ApkCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApkError';
  }
}

/** Every tRPC code maps to an APK code; the Record type makes the compiler list any code left out. */
export const APK_STATUS: Record<TRPC_ERROR_CODE_KEY, ApkCode> = {
  PARSE_ERROR: ApkCode.malformedParam,
  BAD_REQUEST: ApkCode.malformedParam,
  UNPROCESSABLE_CONTENT: ApkCode.outOfRange,
  PAYLOAD_TOO_LARGE: ApkCode.outOfRange,
  UNSUPPORTED_MEDIA_TYPE: ApkCode.malformedParam,
  // The mesh serves queries and mutations only: another method is the caller's own bug, nothing the phone sent.
  METHOD_NOT_SUPPORTED: ApkCode.internal,
  UNAUTHORIZED: ApkCode.tokenInvalid,
  PAYMENT_REQUIRED: ApkCode.forbidden,
  FORBIDDEN: ApkCode.forbidden,
  // Every domain NOT_FOUND carries a reason (below); one without is tRPC's own, a procedure the callee does not have
  // (builds of two versions during a rolling update): no route of the phone's is missing, and a retry may land.
  NOT_FOUND: ApkCode.internal,
  CONFLICT: ApkCode.usernameTaken,
  PRECONDITION_FAILED: ApkCode.forbidden,
  PRECONDITION_REQUIRED: ApkCode.forbidden,
  TOO_MANY_REQUESTS: ApkCode.rateLimited,
  CLIENT_CLOSED_REQUEST: ApkCode.serviceUnavailable,
  TIMEOUT: ApkCode.serviceUnavailable,
  INTERNAL_SERVER_ERROR: ApkCode.internal,
  NOT_IMPLEMENTED: ApkCode.internal,
  BAD_GATEWAY: ApkCode.serviceUnavailable,
  SERVICE_UNAVAILABLE: ApkCode.serviceUnavailable,
  GATEWAY_TIMEOUT: ApkCode.serviceUnavailable,
};

/** Domain reasons refine the code table where the APK distinguishes cases of one tRPC code. */
export const REASON_STATUS: Record<string, ApkCode> = {
  username_taken: ApkCode.usernameTaken,
  bad_credentials: ApkCode.badCredentials,
  user_not_found: ApkCode.userNotFound,
  self_action: ApkCode.selfAction,
  database_unavailable: ApkCode.databaseUnavailable,
  video_not_found: ApkCode.videoNotFound,
  not_a_video: ApkCode.notAVideo,
  storage_unavailable: ApkCode.storageUnavailable,
  media_unavailable: ApkCode.mediaUnavailable,
  comment_not_found: ApkCode.commentNotFound,
  // The gateway staged the upload before the call: gone, it was lost by the store or removed by a sweep or a gateway
  // that gave up on the call; the phone may send it again.
  staged_upload_missing: ApkCode.internal,
  // An answer past what one mesh frame carries (lists stop below it, at LIST_MAX): nothing the phone could change.
  answer_too_large: ApkCode.internal,
};

/** What the user reads for a status code when the failure's own message is not meant for them. */
export const STATUS_MSG: Partial<Record<ApkCode, string>> = {
  [ApkCode.ok]: 'success',
  [ApkCode.malformedParam]: 'invalid parameter',
  [ApkCode.outOfRange]: 'parameter out of range',
  [ApkCode.tokenInvalid]: 'invalid or expired token, please log in again',
  [ApkCode.badCredentials]: 'wrong username or password',
  [ApkCode.forbidden]: 'not allowed',
  [ApkCode.userNotFound]: 'user not found',
  [ApkCode.selfAction]: 'you cannot do that to yourself',
  [ApkCode.notAVideo]: 'the upload is not a video',
  [ApkCode.uploadTooLarge]: 'the video is too large',
  [ApkCode.videoNotFound]: 'video not found',
  [ApkCode.commentNotFound]: 'comment not found',
  [ApkCode.routeNotFound]: 'route not found',
  [ApkCode.usernameTaken]: 'username already taken',
  [ApkCode.rateLimited]: 'too many requests, slow down',
  [ApkCode.internal]: 'internal error, please retry later',
  [ApkCode.databaseUnavailable]: 'database unavailable, please retry later',
  [ApkCode.storageUnavailable]: 'storage unavailable, please retry later',
  [ApkCode.serviceUnavailable]: 'service temporarily unavailable, please retry later',
  [ApkCode.mediaUnavailable]: 'media processing unavailable, please retry later',
};
