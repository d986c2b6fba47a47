import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export type DatabaseMode = 'sqlite' | 'mysql';

export interface TestDatabase {
  mode: DatabaseMode;
  /** Set in mysql mode: a URL naming this test's own database. */
  url?: string;
  /** A fresh temp dir in both modes (the SQLite file lives here in sqlite mode). */
  dataDir: string;
}

const REQUIRABLE = ['sqlite', 'mysql', 'redis'] as const;

/** The servers REQUIRE_DATABASES names (CI sets `mysql,redis` so a missing URL fails the run instead of skipping). */
function requiredServers(env: NodeJS.ProcessEnv): string[] {
  const required = (env.REQUIRE_DATABASES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = required.filter((name) => !(REQUIRABLE as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`REQUIRE_DATABASES: unknown mode(s) ${unknown.join(', ')}; expected ${REQUIRABLE.join(', ')}`);
  }
  return required;
}

/** 'sqlite' always, plus 'mysql' when DATABASE_URL is set; throws when REQUIRE_DATABASES asks for a mode that is not configured. */
export function databaseModes(env: NodeJS.ProcessEnv = process.env): DatabaseMode[] {
  if (requiredServers(env).includes('mysql') && !env.DATABASE_URL) {
    throw new Error('REQUIRE_DATABASES includes mysql but DATABASE_URL is not set');
  }
  return env.DATABASE_URL ? ['sqlite', 'mysql'] : ['sqlite'];
}

/** REDIS_URL for tests against the shared Redis: undefined (skip) without it, unless REQUIRE_DATABASES includes redis. */
export function sharedRedisUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (requiredServers(env).includes('redis') && !env.REDIS_URL) {
    throw new Error('REQUIRE_DATABASES includes redis but REDIS_URL is not set');
  }
  return env.REDIS_URL;
}

/** A new empty database for one test (a `t_<random>` MySQL database or a temp SQLite dir), removed in t.after; spread it into createDb's config. */
export async function freshDatabase(
  t: { after(fn: () => unknown): void },
  mode: DatabaseMode,
): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'douyin-test-'));
  // Hooks run in registration order, so this may run before the test's db.destroy(): POSIX unlinks open files.
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  if (mode === 'sqlite') return { mode, dataDir };

  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('freshDatabase(mysql) needs DATABASE_URL');
  // Random names, not a counter: test files run in parallel processes against the same server.
  const name = `t_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  // The test's pool may still be open (hooks run in registration order); idle connections do not block the
  // drop, but a transaction left open would, so fail after 10 s instead of hanging the run.
  t.after(() => onServer(serverUrl, 'SET SESSION lock_wait_timeout = 10', `DROP DATABASE IF EXISTS \`${name}\``));
  return { mode, url: withDatabase(serverUrl, name), dataDir };
}

async function onServer(serverUrl: string, ...statements: string[]): Promise<void> {
  // Connect without selecting DATABASE_URL's database: it need not exist.
  const connection = await createConnection({ uri: withDatabase(serverUrl, ''), connectTimeout: 5_000 });
  try {
    for (const statement of statements) await connection.query(statement);
  } finally {
    await connection.end();
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
