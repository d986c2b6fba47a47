import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator, sql, type Kysely } from 'kysely';
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
  const migrator = new Migrator({
    db,
    // FileMigrationProvider skips .d.ts and .map files; it imports `join(folder, file)`, which only resolves
    // as a file path when the folder is absolute.
    provider: new FileMigrationProvider({ fs, path, migrationFolder: path.resolve(opts.folder) }),
    migrationTableName: `${opts.service}_migration`,
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
