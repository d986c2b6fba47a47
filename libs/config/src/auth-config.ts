import type { z } from 'zod';
import type { AuthEnv } from './fragments.js';
import { ConfigError } from './load-config.js';
import { looksLikePlaceholder } from './placeholder.js';

/** The shortest JWT secret accepted: in production, and in a development checkout's generated file. */
export const JWT_SECRET_MIN_LENGTH = 32;
const GENERATE = 'generate one with `openssl rand -base64 48`';

/** Why `secret` must not sign production tokens, or undefined if it may. */
export function jwtSecretProblem(secret: string | undefined): string | undefined {
  if (!secret) return `JWT_SECRET (or JWT_SECRET_FILE): required with NODE_ENV=production; ${GENERATE}`;
  if (secret.length < JWT_SECRET_MIN_LENGTH) return `JWT_SECRET: must be at least ${JWT_SECRET_MIN_LENGTH} characters with NODE_ENV=production`;
  if (looksLikePlaceholder(secret)) return `JWT_SECRET: looks like a placeholder; ${GENERATE}`;
  return undefined;
}

export interface AuthConfig {
  /** Unset in development only: the gateway then keeps a random one under dataDir. */
  secret: string | undefined;
  ttlSeconds: number;
  dataDir: string;
}

type AuthEnvValues = z.output<typeof AuthEnv> & { NODE_ENV: string; DATA_DIR: string };

/**
 * The token settings; with NODE_ENV=production a missing, short or placeholder secret is refused here, reported and
 * exited on like any other bad setting rather than thrown later from the gateway's start.
 */
export function toAuthConfig(e: AuthEnvValues): AuthConfig {
  const secret = e.JWT_SECRET?.trim() || undefined;
  const problem = e.NODE_ENV === 'production' ? jwtSecretProblem(secret) : undefined;
  if (problem) throw new ConfigError([problem]);
  return { secret, ttlSeconds: e.JWT_TTL_SECONDS, dataDir: e.DATA_DIR };
}
