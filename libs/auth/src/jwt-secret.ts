import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, JWT_SECRET_MIN_LENGTH, jwtSecretProblem } from '@douyin/config';

export interface JwtSecretOptions {
  /** JWT_SECRET, if set. */
  secret?: string;
  production: boolean;
  /** Where the development secret is kept. */
  dataDir: string;
}

/**
 * The configured secret checked for production (as the config's toAuthConfig checks it), or in development a random
 * secret persisted once under dataDir.
 */
export function resolveJwtSecret(opts: JwtSecretOptions): string {
  const secret = opts.secret?.trim() || undefined;
  if (opts.production) {
    const problem = jwtSecretProblem(secret);
    if (problem) throw new ConfigError([problem]);
    return secret as string;
  }
  return secret ?? developmentSecret(opts.dataDir);
}

// No secret ships in code: each development checkout gets its own, and tokens survive restarts.
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  mkdirSync(dataDir, { recursive: true });
  const existing = readIfPresent(file);
  if (existing !== undefined) return checked(existing, file);

  // Write to a private temp file, then link it into place: link fails if another process won the race,
  // and a reader never sees a half-written secret.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  } finally {
    unlinkSync(temp);
  }
  return checked(readFileSync(file, 'utf8'), file);
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

function checked(content: string, file: string): string {
  const secret = content.trim();
  if (secret.length < JWT_SECRET_MIN_LENGTH) throw new Error(`${file} holds no usable JWT secret; delete it to generate a new one`);
  return secret;
}
