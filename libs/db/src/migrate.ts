import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { dialectOf } from './dialect.js';

export interface MigrateOptions {
  /** Folder of `<ISO date>_<what>.ts` (tsx) or `.js` (built) modules exporting `up`/`down`. */
  folder: string;
  /** Owning service; names its migration tables so services can share one database. */
  service: string;
}

// Kysely<any>: migrations run before (and independently of) the service's table types.
/** Runs the service's pending migrations in name order and returns their names; throws naming the failing migration. */
export async function migrateToLatest(db: Kysely<any>, opts: MigrateOptions): Promise<string[]> {
  if (dialectOf(db) === 'mysql') return migrate(db, opts);
  // Kysely's SQLite migration lock is a no-op (it assumes one connection), yet two instances of a service may start
  // at once on one file, and the second failed with "table already exists". BEGIN IMMEDIATE takes the file's write
  // lock, so the second waits (busy_timeout) and then finds nothing pending; a failed migration now rolls back whole.
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const applied = await migrate(connection, opts);
      await sql`commit`.execute(connection);
      return applied;
    } catch (err) {
      // SQLite may already have rolled back on its own (a full disk, say); the migration error is what matters.
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw err;
    }
  });
}

async function migrate(db: Kysely<any>, opts: MigrateOptions): Promise<string[]> {
  const table = `${opts.service}_migration`;
  const migrator = new Migrator({
    db,
    // FileMigrationProvider skips .d.ts and .map files; it imports `join(folder, file)`, which only resolves
    // as a file path when the folder is absolute.
    provider: withNewerReleases(new FileMigrationProvider({ fs, path, migrationFolder: path.resolve(opts.folder) }), await executedMigrations(db, table)),
    migrationTableName: table,
    migrationLockTableName: `${opts.service}_migration_lock`,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const where = failed ? `migration ${failed}` : `migrations in ${opts.folder}`;
    throw new Error(`${opts.service}: ${where} failed: ${messageOf(error)}`, { cause: error });
  }
  return results.map((r) => r.migrationName);
}

/**
 * `provider`, plus a placeholder for each migration the database has run that sorts after all of this release's: a
 * newer release ran it (the schema changes expand, so this release still works on it). Kysely refuses to start on
 * a migration it does not know, which would stop this release's pods from restarting during a rolling update, and
 * any rollback. One that sorts before any of this release's is still refused: the histories diverged.
 */
function withNewerReleases(provider: MigrationProvider, executed: readonly string[]): MigrationProvider {
  return {
    async getMigrations() {
      const own = await provider.getMigrations();
      const last = Object.keys(own).sort().at(-1) ?? '';
      const placeholder = (name: string): Migration => ({
        up: async () => {
          throw new Error(`${name} belongs to a newer release`);
        },
      });
      const newer = executed.filter((name) => name > last && !(name in own));
      return { ...own, ...Object.fromEntries(newer.map((name) => [name, placeholder(name)])) };
    },
  };
}

/**
 * The migrations the database has run, read before the migrator takes its lock (it holds SQLite's one connection).
 * A newer release migrating in between is refused by the migrator as unknown, and the restart finds it here.
 */
async function executedMigrations(db: Kysely<any>, table: string): Promise<string[]> {
  try {
    const rows: Array<{ name: string }> = await db.selectFrom(table).select('name').execute();
    return rows.map((row) => row.name);
  } catch (err) {
    if (isMissingTable(err)) return []; // a first start
    throw err;
  }
}

// MySQL's ER_NO_SUCH_TABLE; SQLite reports every prepare error as SQLITE_ERROR, with the name in its message.
const isMissingTable = (err: unknown): boolean => {
  const { code, message } = err as { code?: unknown; message?: unknown };
  return code === 'ER_NO_SUCH_TABLE' || (code === 'SQLITE_ERROR' && String(message).startsWith('no such table'));
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
