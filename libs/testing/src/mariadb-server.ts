import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { freePort } from './app-process.js';

/** A mariadbd of the test's own (temp data dir, free loopback port), so a fault test can kill it without touching the shared one. */
export interface PrivateMariadb {
  port: number;
  /** mysql://root@127.0.0.1:<port>/<database>, the database created empty. */
  url: string;
  /** SIGKILL, like a crash; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir and resolves once it accepts queries. */
  restart(): Promise<void>;
  /** SIGTERM, a clean shutdown (InnoDB flushes and saves its buffer pool's page list); resolves once it exited. */
  stop(): Promise<void>;
  /** The running mariadbd's process id (a restart gives it a new one), for reading its CPU time from /proc. */
  pid(): number;
}

export interface PrivateMariadbOptions {
  /** A data dir kept after the server stops and reused by the next start; a temp dir removed in t.after by default. */
  dataDir?: string;
  /** InnoDB's buffer pool (default 32 MB: a test's data is small). */
  bufferPoolMb?: number;
  /** Stopped in t.after with SIGTERM rather than SIGKILL, as a server whose data is kept must be. */
  gracefulStop?: boolean;
  /** performance_schema on, for statement digests (off by default, as in Debian's package). */
  performanceSchema?: boolean;
}

const READY_TIMEOUT_MS = 30_000;
/** A kept data dir of many GB may need crash recovery, and a large buffer pool takes a while to allocate. */
const KEPT_READY_TIMEOUT_MS = 180_000;
const DATABASE = 'outage';

async function answers(port: number): Promise<boolean> {
  try {
    const connection = await createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1_000 });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * `mariadb-install-db` into a data dir (unless it holds one already), then `mariadbd --no-defaults` on a free port
 * with grant tables skipped (root without a password, loopback only); stopped in t.after. Needs Debian's mariadb-server.
 */
export async function startPrivateMariadb(t: { after(fn: () => unknown): void }, options: PrivateMariadbOptions = {}): Promise<PrivateMariadb> {
  const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'douyin-mariadb-')));
  if (!options.dataDir) t.after(() => rm(dir, { recursive: true, force: true }));
  const datadir = join(dir, 'data');
  const installed = await access(join(datadir, 'mysql')).then(() => true, () => false);
  if (!installed) {
    await mkdir(dir, { recursive: true });
    await promisify(execFile)('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=normal'], {
      timeout: READY_TIMEOUT_MS,
    });
  }
  const tmp = join(dir, 'tmp');
  await mkdir(tmp, { recursive: true });
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();

  const start = async () => {
    const args = [
      '--no-defaults', `--datadir=${datadir}`, `--port=${port}`, `--socket=${join(dir, 'mysqld.sock')}`, `--pid-file=${join(dir, 'mysqld.pid')}`,
      // Temp tables (information_schema reads make them) in a folder of its own, not the /tmp of every other server.
      `--tmpdir=${tmp}`,
      '--bind-address=127.0.0.1', '--skip-grant-tables', '--user=root', '--skip-log-bin', `--innodb-buffer-pool-size=${options.bufferPoolMb ?? 32}M`,
      `--performance-schema=${options.performanceSchema ? 'ON' : 'OFF'}`,
    ];
    const proc = spawn('mariadbd', args, { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', resolve).once('error', resolve));
    const deadline = Date.now() + (options.dataDir ? KEPT_READY_TIMEOUT_MS : READY_TIMEOUT_MS);
    while (!(await answers(port))) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`private mariadbd on port ${port} did not start`);
      await sleep(100);
    }
  };
  const signal = (name: NodeJS.Signals) => async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  const [kill, stop] = [signal('SIGKILL'), signal('SIGTERM')];

  t.after(options.gracefulStop ? stop : kill);
  await start();
  const connection = await createConnection({ host: '127.0.0.1', port, user: 'root' });
  await connection.query(`CREATE DATABASE IF NOT EXISTS ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  return { port, url: `mysql://root@127.0.0.1:${port}/${DATABASE}`, kill, restart: start, stop, pid: () => child?.pid ?? 0 };
}
