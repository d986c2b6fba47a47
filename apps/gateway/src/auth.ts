import { TokenError, type TokenIssuer, type TokenSession } from '@douyin/auth';
import { ApkCode, ApkError } from './status.js';

export interface Authenticator {
  /** Required-token routes: the user id, or 40101 (no token) / 40102 (bad, expired, or the user is gone). */
  requireUser(token: string | undefined): Promise<number>;
  /** requireUser's check, answering also until when the token holds: a connection kept open must not outlive it. */
  requireSession(token: string | undefined): Promise<TokenSession>;
  /** Optional-token routes: the viewer, or undefined for no token or an invalid one, the user gone included (never an error). */
  viewer(token: string | undefined): Promise<number | undefined>;
  /**
   * The user a token's signature names, asking nobody: whose buckets the rate limits charge before any route runs (a
   * lookup there would let a gone account's token, whose absence is not remembered, cost the user service a call per
   * request ahead of every limit, and hold every signed request while the user service is slow).
   */
  signedUser(token: string | undefined): Promise<number | undefined>;
}

export interface AuthenticatorDeps {
  tokens: TokenIssuer;
  /** Whether the user behind a valid token still exists (see userExists, which remembers the answer a while). */
  userExists(userId: number): Promise<boolean>;
}

/** The only place that reads tokens. */
export function createAuthenticator({ tokens, userExists }: AuthenticatorDeps): Authenticator {
  const signedUser = async (token: string | undefined) => (token === undefined ? undefined : tokens.verify(token).catch(() => undefined));
  async function requireSession(token: string | undefined): Promise<TokenSession> {
    if (token === undefined) throw new ApkError(ApkCode.tokenMissing, 'token is required, please log in');
    let session: TokenSession;
    try {
      session = await tokens.verifySession(token);
    } catch (err) {
      if (err instanceof TokenError) throw new ApkError(ApkCode.tokenInvalid, 'invalid or expired token, please log in again');
      throw err;
    }
    if (!(await userExists(session.userId))) throw new ApkError(ApkCode.tokenInvalid, 'this account no longer exists, please log in again');
    return session;
  }

  return {
    async requireUser(token) {
      return (await requireSession(token)).userId;
    },

    requireSession,

    async viewer(token) {
      const userId = await signedUser(token);
      if (userId === undefined) return undefined;
      // A gone account's token is invalid (§1.1), so nobody views. The viewer sets is_follow and is_favorite (and is
      // whose profile a user request without user_id shows): a user service that cannot answer keeps the token's
      // word rather than fail the page.
      return (await userExists(userId).catch(() => true)) ? userId : undefined;
    },

    signedUser,
  };
}
