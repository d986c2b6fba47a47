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
  /** Whether the user behind a valid token still exists (see userExists, which remembers the answer a while). */
  userExists(userId: number): Promise<boolean>;
}

/** The only place that reads tokens. */
export function createAuthenticator({ tokens, userExists }: AuthenticatorDeps): Authenticator {
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
      if (!(await userExists(userId))) throw new ApkError(ApkCode.tokenInvalid, 'this account no longer exists, please log in again');
      return userId;
    },

    async viewer(token) {
      if (token === undefined) return undefined;
      return tokens.verify(token).catch(() => undefined);
    },
  };
}
