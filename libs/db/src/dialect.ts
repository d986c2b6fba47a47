import { MysqlIntrospector, SqliteIntrospector, type Kysely } from 'kysely';

export type Dialect = 'mysql' | 'sqlite';

// Kysely<any>, as in migrations: it must accept every service's table types.
/** Which engine a Kysely instance (or transaction) talks to, for the rare query that must differ. */
export function dialectOf(db: Kysely<any>): Dialect {
  // The introspector is the public part of Kysely that reveals the dialect.
  const introspector = db.introspection;
  if (introspector instanceof MysqlIntrospector) return 'mysql';
  if (introspector instanceof SqliteIntrospector) return 'sqlite';
  throw new Error(`unsupported Kysely dialect: ${introspector.constructor.name}`);
}
