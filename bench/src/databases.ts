import { createConnection } from 'mysql2/promise';

/** The MariaDB server the bench uses: DATABASE_URL's server (its database part is ignored), or the local default. */
export const serverUrl = (env: NodeJS.ProcessEnv = process.env): string => env.DATABASE_URL ?? 'mysql://douyin:douyin@127.0.0.1:3306/test';

/** The bench's own databases are all named bench_*, so nothing here can touch anybody else's. */
export function benchDatabaseName(label: string): string {
  const name = `bench_${label.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  if (!/^bench_[a-z0-9_]{1,50}$/.test(name)) throw new Error(`bad bench database label ${label}`);
  return name;
}

/** Creates `name` on the server if missing (kept between runs: seeding is the slow part) and returns its URL. */
export async function ensureDatabase(server: string, name: string): Promise<string> {
  return onServer(server, name, [`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`]);
}

/**
 * What seed() may call to drop `name` and create it empty, when it holds another seed than the one wanted: only on
 * the bench's own server (one it started, `pid` known). On a server given by DATABASE_URL, a bench_* database may be
 * one a person seeded by hand: the seed is refused instead.
 */
export const replacerFor = (server: { url: string; pid?: number }, name: string): (() => Promise<void>) | undefined =>
  server.pid === undefined ? undefined : () => recreateDatabase(server.url, name).then(() => undefined);

/** Drops `name` and creates it empty: for a bench database holding another seed than the one wanted. */
export async function recreateDatabase(server: string, name: string): Promise<string> {
  return onServer(server, name, [`DROP DATABASE IF EXISTS \`${name}\``, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`]);
}

async function onServer(server: string, name: string, statements: string[]): Promise<string> {
  if (!name.startsWith('bench_')) throw new Error(`the bench only creates bench_* databases, not ${name}`);
  const url = new URL(server);
  url.pathname = '/';
  const connection = await createConnection({ uri: url.toString(), connectTimeout: 5_000 });
  try {
    for (const statement of statements) await connection.query(statement);
  } finally {
    await connection.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}
