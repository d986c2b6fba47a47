import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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
}

const READY_TIMEOUT_MS = 30_000;
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
 * `mariadb-install-db` into a temp dir, then `mariadbd --no-defaults` on a free port with grant tables skipped
 * (root without a password, loopback only); killed and its data dir removed in t.after. Needs Debian's mariadb-server.
 */
export async function startPrivateMariadb(t: { after(fn: () => unknown): void }): Promise<PrivateMariadb> {
  const dir = await mkdtemp(join(tmpdir(), 'douyin-mariadb-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const datadir = join(dir, 'data');
  await promisify(execFile)('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=normal'], {
    timeout: READY_TIMEOUT_MS,
  });
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();

  const start = async () => {
    const args = [
      '--no-defaults', `--datadir=${datadir}`, `--port=${port}`, `--socket=${join(dir, 'mysqld.sock')}`, `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--bind-address=127.0.0.1', '--skip-grant-tables', '--user=root', '--skip-log-bin', '--innodb-buffer-pool-size=32M',
    ];
    const proc = spawn('mariadbd', args, { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', resolve).once('error', resolve));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await answers(port))) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`private mariadbd on port ${port} did not start`);
      await sleep(100);
    }
  };
  const kill = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };

  t.after(kill);
  await start();
  const connection = await createConnection({ host: '127.0.0.1', port, user: 'root' });
  await connection.query(`CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  return { port, url: `mysql://root@127.0.0.1:${port}/${DATABASE}`, kill, restart: start };
}
