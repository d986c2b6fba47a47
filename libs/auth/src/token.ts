import { webcrypto } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';

export type TokenErrorReason = 'malformed' | 'expired' | 'invalid';

/** Why a token was refused: `malformed` is not a JWT at all, `invalid` failed the signature or claims. */
export class TokenError extends Error {
  override readonly name = 'TokenError';

  constructor(readonly reason: TokenErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface TokenIssuer {
  issue(userId: number): Promise<string>;
  /** The user id in `sub`; throws TokenError. */
  verify(token: string): Promise<number>;
}

export interface TokenIssuerOptions {
  secret: string;
  ttlSeconds: number;
  /** Epoch milliseconds; tests pass a fake clock. */
  now?: () => number;
}

const ALG = 'HS256';
// A user id as `sub`: a decimal without sign or leading zeros that fits a JS number exactly.
const SUB_PATTERN = /^[1-9][0-9]{0,15}$/;

/** JWT HS256 via jose with claims sub/iat/exp; verify accepts only HS256 and returns the user id. */
export function createTokenIssuer(opts: TokenIssuerOptions): TokenIssuer {
  if (opts.secret.length === 0) throw new Error('createTokenIssuer: secret must not be empty');
  // Imported once: given the raw bytes, jose imports a WebCrypto key on every sign and verify, a cost every signed-in
  // request paid again.
  let key: Promise<webcrypto.CryptoKey> | undefined;
  const hmacKey = () =>
    (key ??= webcrypto.subtle.importKey('raw', new TextEncoder().encode(opts.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']));
  const now = opts.now ?? Date.now;

  return {
    async issue(userId) {
      if (!isUserId(userId)) throw new RangeError(`cannot issue a token for user id ${userId}`);
      const iat = Math.floor(now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: ALG })
        .setSubject(String(userId))
        .setIssuedAt(iat)
        .setExpirationTime(iat + opts.ttlSeconds)
        .sign(await hmacKey());
    },

    async verify(token) {
      let sub: string | undefined;
      try {
        const { payload } = await jwtVerify(token, await hmacKey(), {
          algorithms: [ALG],
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'iat', 'exp'],
        });
        sub = payload.sub;
      } catch (err) {
        throw toTokenError(err);
      }
      const userId = sub !== undefined && SUB_PATTERN.test(sub) ? Number(sub) : NaN;
      if (!isUserId(userId)) throw new TokenError('invalid', 'token subject is not a user id');
      return userId;
    },
  };
}

function isUserId(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1;
}

function toTokenError(err: unknown): unknown {
  if (err instanceof errors.JWTExpired) return new TokenError('expired', 'token expired', { cause: err });
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return new TokenError('malformed', 'token is not a well-formed JWT', { cause: err });
  }
  // Bad signature, another algorithm (e.g. "none"), missing claims.
  if (err instanceof errors.JOSEError) return new TokenError('invalid', 'token rejected', { cause: err });
  return err;
}
