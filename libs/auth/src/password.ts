import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: ScryptOptions) => Promise<Buffer>;

// N=2^14, r=8, p=1: ~16 MiB and tens of ms per hash, the interactive-login parameters of the scrypt paper.
const PARAMS = { N: 2 ** 14, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Bounds for parameters read back from storage, so a corrupted row cannot make verify allocate gigabytes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEM = 256 * 1024 * 1024;

interface Parsed { N: number; r: number; p: number; salt: Buffer; hash: Buffer }

/** scrypt (N=2^14 r=8 p=1, 16-byte random salt) encoded as `scrypt$N$r$p$saltB64$hashB64`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scrypt(password, salt, KEY_BYTES, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Constant-time check of a password against a stored hash; false (never throws) for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  try {
    const actual = await scrypt(password, parsed.salt, parsed.hash.length, { N: parsed.N, r: parsed.r, p: parsed.p, maxmem: MAX_MEM });
    return timingSafeEqual(actual, parsed.hash);
  } catch {
    return false;
  }
}

/**
 * `make`'s result, made on first use and kept; a failure is not kept, so the next call makes it again (a kept
 * rejection would fail every later call until the process restarts).
 */
export function madeOnce<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () =>
    (made ??= make().catch((err: unknown) => {
      made = undefined;
      throw err;
    }));
}

/**
 * The stored hash an unknown user's login is checked against: a real hash of a random password, made on first use,
 * with the parameters every new hash gets. Were its making to fail for good, every unknown user's login would fail
 * while wrong passwords of known ones did not, telling which names exist.
 */
export const dummyStoredHash = madeOnce(() => hashPassword(randomBytes(KEY_BYTES).toString('base64')));

/**
 * A real verify against the dummy hash, so a login for an unknown user does the same work as one with a wrong
 * password and is not distinguishable by timing; always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(password, await dummyStoredHash());
  return false;
}

function parse(stored: string): Parsed | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^[1-9][0-9]{0,7}$/.test(s ?? '') ? Number(s) : NaN));
  if (N === undefined || r === undefined || p === undefined) return undefined;
  // scrypt needs N to be a power of two greater than 1.
  if (!(N > 1 && N <= MAX_N && (N & (N - 1)) === 0 && r <= MAX_R && p <= MAX_P)) return undefined;
  const salt = decodeBase64(parts[4] ?? '');
  const hash = decodeBase64(parts[5] ?? '');
  if (!salt || !hash || salt.length < SALT_BYTES || hash.length < 16) return undefined;
  return { N, r, p, salt, hash };
}

// Buffer.from(s, 'base64') skips invalid characters silently; re-encoding catches a truncated or edited value.
function decodeBase64(s: string): Buffer | undefined {
  const bytes = Buffer.from(s, 'base64');
  return bytes.length > 0 && bytes.toString('base64') === s ? bytes : undefined;
}
