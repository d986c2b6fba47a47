import { TokenError, type TokenIssuer } from '@douyin/auth';
import { ApkCode, ApkError } from './status.js';

export interface Authenticator {
  /** Required-token routes: the user id, or 40101 (no token) / 40102 (bad, expired, or the user is gone). */
  requireUser(token: string | undefined): Promise<number>;
  /** Optional-token routes: the viewer, or undefined for no token or an invalid one, the user gone included (never an error). */
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
      const userId = await tokens.verify(token).catch(() => undefined);
      if (userId === undefined) return undefined;
      // A gone account's token is invalid (§1.1), so nobody views. The viewer only sets is_follow and is_favorite: a
      // user service that cannot answer keeps the token's word rather than fail the page.
      return (await userExists(userId).catch(() => true)) ? userId : undefined;
    },
  };
}
