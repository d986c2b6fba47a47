import { TokenError as JwtError, createSigner, createVerifier } from 'fast-jwt';

export type TokenErrorReason = 'malformed' | 'expired' | 'invalid';

/** Why a token was refused: `malformed` is not a JWT at all, `invalid` failed the signature or claims. */
export class TokenError extends Error {
  override readonly name = 'TokenError';

  constructor(readonly reason: TokenErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What a valid token says: whose it is, and until when (its `exp`, in epoch ms). */
export interface TokenSession {
  userId: number;
  expiresAtMs: number;
}

export interface TokenIssuer {
  issue(userId: number): Promise<string>;
  /** The user id in `sub`; throws TokenError. */
  verify(token: string): Promise<number>;
  /** The user id in `sub` and the token's expiry; throws TokenError. */
  verifySession(token: string): Promise<TokenSession>;
}

export interface TokenIssuerOptions {
  secret: string;
  ttlSeconds: number;
  /** Epoch milliseconds; tests pass a fake clock. */
  now?: () => number;
}

const ALG = 'HS256' as const;
/**
 * Longer than any token this issuer signs (about 200 characters): refused before fast-jwt decodes and parses the
 * header and payload, which it does before it checks the signature, for every request that sends one.
 */
const MAX_TOKEN_CHARS = 1024;
// A user id as `sub`: a decimal without sign or leading zeros that fits a JS number exactly.
const SUB_PATTERN = /^[1-9][0-9]{0,15}$/;

/**
 * JWT HS256 with claims sub/iat/exp; verify accepts only HS256 and returns the user id. fast-jwt signs and verifies
 * with node:crypto's synchronous HMAC: every signed-in request verifies a token, and WebCrypto's (jose's) cost 47 µs
 * of CPU a verify here against fast-jwt's 8.
 */
export function createTokenIssuer(opts: TokenIssuerOptions): TokenIssuer {
  if (opts.secret.length === 0) throw new Error('createTokenIssuer: secret must not be empty');
  const now = opts.now ?? Date.now;
  const sign = createSigner({ key: opts.secret, algorithm: ALG });
  const verifyOptions = { key: opts.secret, algorithms: [ALG], requiredClaims: ['sub', 'iat', 'exp'] };

  return {
    async issue(userId) {
      if (!isUserId(userId)) throw new RangeError(`cannot issue a token for user id ${userId}`);
      const iat = Math.floor(now() / 1000);
      return sign({ sub: String(userId), iat, exp: iat + opts.ttlSeconds });
    },

    async verify(token) {
      return (await verifySession(token)).userId;
    },

    verifySession,
  };

  async function verifySession(token: string): Promise<TokenSession> {
    if (token.length > MAX_TOKEN_CHARS) throw new TokenError('malformed', 'token is longer than any this issuer signs');
    let claims: { sub?: unknown; exp?: unknown };
    try {
      // A verifier reads the time once, when built: one per call (about 1 µs) keeps `now` the issuer's clock.
      claims = createVerifier({ ...verifyOptions, clockTimestamp: now() })(token) as { sub?: unknown; exp?: unknown };
    } catch (err) {
      throw toTokenError(err);
    }
    const { sub, exp } = claims;
    const userId = typeof sub === 'string' && SUB_PATTERN.test(sub) ? Number(sub) : NaN;
    if (!isUserId(userId)) throw new TokenError('invalid', 'token subject is not a user id');
    // fast-jwt checks that a present exp is a number and not past; requiredClaims that it is present.
    return { userId, expiresAtMs: (exp as number) * 1000 };
  }
}

function isUserId(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1;
}

const MALFORMED = new Set<string>([JwtError.codes.malformed, JwtError.codes.invalidType, JwtError.codes.invalidPayload]);

function toTokenError(err: unknown): unknown {
  if (!(err instanceof JwtError)) return err;
  if (err.code === JwtError.codes.expired) return new TokenError('expired', 'token expired', { cause: err });
  if (MALFORMED.has(err.code)) return new TokenError('malformed', 'token is not a well-formed JWT', { cause: err });
  // Bad or missing signature (e.g. "alg": "none"), another algorithm, missing or mistyped claims, not yet valid.
  return new TokenError('invalid', 'token rejected', { cause: err });
}
