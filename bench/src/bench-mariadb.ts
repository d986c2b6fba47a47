import { totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection, type Connection } from 'mysql2/promise';
import { startPrivateMariadb } from '@douyin/testing';
import { REPO_ROOT, type Hooks } from './processes.js';

/** Where the bench's own MariaDB keeps its data between runs (git-ignored): seeding is the slow part of a first run. */
export const BENCH_MARIADB_DIR = join(REPO_ROOT, 'bench', '.mariadb');

const MB = 1024 * 1024;
const MAX_POOL_MB = 8 * 1024;

/**
 * InnoDB's buffer pool for the bench's own MariaDB: BENCH_MARIADB_POOL_MB, else a quarter of the machine's memory up
 * to 8 GB. A database server is tuned to keep its working set in memory; at 128 MB (the package's default) a 1M-video
 * database of 4-5 GB is read from disk on nearly every list, and the scale ratio would measure the disk.
 */
export function benchPoolMb(env: NodeJS.ProcessEnv = process.env, memoryBytes = totalmem()): number {
  if (env.BENCH_MARIADB_POOL_MB !== undefined) {
    const mb = Number(env.BENCH_MARIADB_POOL_MB);
    if (!Number.isInteger(mb) || mb < 32) {
      throw new Error(`BENCH_MARIADB_POOL_MB must be a whole number of MB, at least 32; got ${env.BENCH_MARIADB_POOL_MB}`);
    }
    return mb;
  }
  return Math.max(128, Math.min(MAX_POOL_MB, Math.floor(memoryBytes / MB / 4)));
}

/** The server the bench measures: its URL, and its buffer pool when it is the bench's own. */
export interface BenchServer {
  url: string;
  ownPoolMb?: number;
  /** The bench's own server's process, whose CPU the runs are charged with; unknown for DATABASE_URL's. */
  pid?: number;
}

/**
 * DATABASE_URL's server when set (its database part is ignored), as it is configured; else a mariadbd of the
 * bench's own on a free loopback port, with its data in BENCH_MARIADB_DIR and a buffer pool of benchPoolMb(),
 * stopped cleanly when `hooks` run.
 */
export async function benchServer(hooks: Hooks, log: (line: string) => void): Promise<BenchServer> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL };
  const poolMb = benchPoolMb();
  // performance_schema's statement digests tell which statements a scale's requests spend the database's time on.
  const server = await startPrivateMariadb(hooks, { dataDir: BENCH_MARIADB_DIR, bufferPoolMb: poolMb, gracefulStop: true, performanceSchema: true });
  log(`mariadb: the bench's own on port ${server.port}, data kept in ${BENCH_MARIADB_DIR}, buffer pool ${poolMb} MB`);
  return { url: server.url, ownPoolMb: poolMb, pid: server.pid() };
}

/** A global status counter of the server `connection` talks to (0 if the server has none of that name). */
export const statusOf = async (connection: Connection, name: string): Promise<number> => {
  const [[row]] = (await connection.query(`SHOW GLOBAL STATUS LIKE ?`, [name])) as unknown as [[{ Value: string } | undefined]];
  return Number(row?.Value ?? 0);
};

/**
 * Reads every index of every table of the database at `url` once, so its pages sit in the buffer pool before the
 * measured runs, as they do on a server that has been serving for a while (and on a restarted one that loads its
 * saved page list). Returns the MB of index and row data read and the MB the pool holds afterwards.
 */
export async function warmBufferPool(url: string): Promise<{ dataMb: number; poolDataMb: number }> {
  const connection = await createConnection({ uri: url });
  try {
    const [indexes] = (await connection.query(
      `SELECT DISTINCT TABLE_NAME AS tableName, INDEX_NAME AS indexName FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()`,
    )) as unknown as [Array<{ tableName: string; indexName: string }>];
    for (const { tableName, indexName } of indexes) {
      await connection.query(`SELECT COUNT(*) FROM \`${tableName}\` FORCE INDEX (\`${indexName}\`)`);
    }
    // A freshly seeded table's sizes in information_schema lag behind until its statistics are refreshed.
    const tables = [...new Set(indexes.map((i) => i.tableName))];
    if (tables.length > 0) await connection.query(`ANALYZE TABLE ${tables.map((t) => `\`${t}\``).join(', ')}`);
    const [[size]] = (await connection.query(
      `SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`,
    )) as unknown as [[{ bytes: string | number }]];
    const poolBytes = await statusOf(connection, 'Innodb_buffer_pool_bytes_data');
    return { dataMb: Math.round(Number(size.bytes) / MB), poolDataMb: Math.round(poolBytes / MB) };
  } finally {
    await connection.end();
  }
}

/** A few pages InnoDB keeps dirtying on its own (statistics, purge) are no reason to wait. */
const SETTLED_DIRTY_PAGES = 100;

/** Pages per second InnoDB may write while flushing a seed: an SSD's rate, not the package's disk-era 200. */
const FLUSH_IO_CAPACITY = 10_000;

/**
 * Writes the pages seeding left dirty in the bench's own server (`url`) to disk before anything is measured:
 * otherwise InnoDB flushes them in the background for minutes after a large seed, and the first measured runs
 * share the machine with that. At the server's default I/O capacity (200 pages a second) the 100k seed's 4,700
 * dirty pages took 49 s to write; at FLUSH_IO_CAPACITY, 3 s. Each setting is the server's own again afterwards.
 * Waits at most `timeoutMs`; resolves false if pages were still being written then.
 */
export async function flushSeedWrites(url: string, timeoutMs = 600_000): Promise<boolean> {
  const connection = await createConnection({ uri: url });
  try {
    const [[setting]] = (await connection.query(
      `SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS pct, @@GLOBAL.innodb_io_capacity AS io, @@GLOBAL.innodb_io_capacity_max AS ioMax`,
    )) as unknown as [[{ pct: number; io: number; ioMax: number }]];
    // The capacity may never exceed its maximum: raise the maximum first, and lower it last.
    await connection.query(`SET GLOBAL innodb_io_capacity_max = ?`, [Math.max(Number(setting.ioMax), FLUSH_IO_CAPACITY)]);
    await connection.query(`SET GLOBAL innodb_io_capacity = ?`, [Math.max(Number(setting.io), FLUSH_IO_CAPACITY)]);
    await connection.query(`SET GLOBAL innodb_max_dirty_pages_pct = 0`);
    try {
      const deadline = Date.now() + timeoutMs;
      let dirty = await statusOf(connection, 'Innodb_buffer_pool_pages_dirty');
      while (dirty > SETTLED_DIRTY_PAGES && Date.now() < deadline) {
        await sleep(250);
        dirty = await statusOf(connection, 'Innodb_buffer_pool_pages_dirty');
      }
      return dirty <= SETTLED_DIRTY_PAGES;
    } finally {
      await connection.query(`SET GLOBAL innodb_max_dirty_pages_pct = ?`, [setting.pct]);
      await connection.query(`SET GLOBAL innodb_io_capacity = ?`, [setting.io]);
      await connection.query(`SET GLOBAL innodb_io_capacity_max = ?`, [setting.ioMax]);
    }
  } finally {
    await connection.end();
  }
}
