import { TokenError, type TokenIssuer } from '@douyin/auth';
import { ApkCode, ApkError } from './status.js';

export interface Authenticator {
  /** Required-token routes: the user id, or 40101 (no token) / 40102 (bad, expired, or the user is gone). */
  requireUser(token: string | undefined): Promise<number>;
  /** Optional-token routes: the viewer, or undefined for no token or an invalid one (never an error). */
  viewer(token: string | undefined): Promise<number | undefined>;
}

export interface AuthenticatorDeps {
  tokens: TokenIssuer;
  /** Whether the user behind a valid token still exists. */
  userExists(userId: number): Promise<boolean>;
  now?: () => number;
}

const KNOWN_USER_TTL_MS = 60_000;
const KNOWN_USER_MAX = 100_000;

/** The only place that reads tokens. */
export function createAuthenticator({ tokens, userExists, now = Date.now }: AuthenticatorDeps): Authenticator {
  // A signed token for a vanished user (say, a wiped dev database) must fail, but asking the user service on
  // every write would double the mesh traffic: remember confirmed users for a minute.
  const known = new Map<number, number>();

  async function confirmed(userId: number): Promise<boolean> {
    const until = known.get(userId);
    if (until !== undefined && until > now()) return true;
    if (!(await userExists(userId))) return false;
    if (known.size >= KNOWN_USER_MAX) known.clear();
    known.set(userId, now() + KNOWN_USER_TTL_MS);
    return true;
  }

  return {
    async requireUser(token) {
      if (token === undefined) throw new ApkError(ApkCode.tokenMissing, 'token is required, please log in');
      let userId: number;
      try {
        userId = await tokens.verify(token);
      } catch (err) {
        if (err instanceof TokenError) throw new ApkError(ApkCode.tokenInvalid, 'invalid or expired token, please log in again');
        throw err;
      }
      if (!(await confirmed(userId))) throw new ApkError(ApkCode.tokenInvalid, 'this account no longer exists, please log in again');
      return userId;
    },

    async viewer(token) {
      if (token === undefined) return undefined;
      return tokens.verify(token).catch(() => undefined);
    },
  };
}
