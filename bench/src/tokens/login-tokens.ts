import { setTimeout as sleep } from 'node:timers/promises';

export interface Credential {
  username: string;
  password: string;
}

export interface LoginTokensOptions {
  /** The gateway's base URL, e.g. http://gateway:8080. */
  gateway: string;
  credentials: readonly Credential[];
  /** Logins in flight at once: each costs the user service a password hash, the dearest thing it does. */
  concurrency?: number;
  /** How long one login may keep being refused with 42901 before it counts as failed. */
  patienceMs?: number;
}

interface LoginAnswer {
  status_code: number;
  status_msg: string;
  user_id?: number;
  token?: string;
}

/**
 * Logs each user in through the APK's own route and returns one "<user id> <token>" line per login, in the order of
 * `credentials`: the TOKENS file deploy/wrk's scripts read, for any deployment whose secret the caller does not hold.
 * A 42901 (the gateway's rate limits, which count this machine as one client) waits its Retry-After and tries again;
 * any other refusal fails the whole run, naming the user, since a TOKENS file missing users would skew the load.
 */
export async function loginTokens({ gateway, credentials, concurrency = 8, patienceMs = 60_000 }: LoginTokensOptions): Promise<string[]> {
  const lines: string[] = new Array(credentials.length);
  let next = 0;
  const worker = async () => {
    while (next < credentials.length) {
      const i = next++;
      const { user_id: id, token } = await login(gateway, credentials[i]!, patienceMs);
      lines[i] = `${id} ${token}`;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, credentials.length) }, worker));
  return lines;
}

async function login(gateway: string, { username, password }: Credential, patienceMs: number): Promise<Required<LoginAnswer>> {
  const url = new URL('/douyin/user/login/', gateway);
  url.search = new URLSearchParams({ username, password }).toString();
  const giveUpAt = Date.now() + patienceMs;
  for (;;) {
    const answer = await fetch(url, { method: 'POST' });
    const retryAfter = Number(answer.headers.get('retry-after') ?? 1);
    const body = (await answer.json().catch(() => undefined)) as LoginAnswer | undefined;
    if (body?.status_code === 0 && typeof body.user_id === 'number' && typeof body.token === 'string') return body as Required<LoginAnswer>;
    if (body?.status_code !== 42901 || Date.now() >= giveUpAt) {
      const why = body ? `${body.status_code} ${body.status_msg}` : `HTTP ${answer.status} without an APK answer`;
      throw new Error(`login of ${username} failed: ${why}`);
    }
    await sleep(Math.max(1, Number.isFinite(retryAfter) ? retryAfter : 1) * 1_000);
  }
}

/** "<username> <password>" lines, as deploy/wrk's login script reads them; blank lines are skipped. */
export function parseCredentials(text: string): Credential[] {
  return text.split('\n').flatMap((raw, i) => {
    const line = raw.trim();
    if (line === '') return [];
    const match = /^(\S+)\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`credentials line ${i + 1}: expected "<username> <password>"`);
    return [{ username: match[1]!, password: match[2]! }];
  });
}
