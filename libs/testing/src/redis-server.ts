import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './app-process.js';

/** A redis-server of the test's own on a free loopback port, so a fault test can kill it without touching the shared one. */
export interface PrivateRedis {
  port: number;
  url: string;
  /** SIGKILL, like a crash; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and resolves once it accepts connections: empty, or as it was when persistent. */
  restart(): Promise<void>;
  /** The running redis-server's process id (a restart gives it a new one), for reading its CPU time from /proc. */
  pid(): number;
}

export interface PrivateRedisOptions {
  /**
   * Every write is appended and fsynced before it is answered, so a restart after kill() comes back with the keys
   * it had, as a production Redis with an append-only file does.
   */
  persistent?: boolean;
}

const READY_TIMEOUT_MS = 5_000;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Starts `redis-server` on a free port, without persistence unless asked; killed (and its files removed) in t.after. */
export async function startPrivateRedis(t: { after(fn: () => unknown): void }, options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const dir = await mkdtemp(join(tmpdir(), 'private-redis-'));
  const persistence = options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];

  const start = async () => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence], {
      stdio: 'ignore',
    });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', resolve).once('error', resolve));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await accepts(port))) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`private redis-server on port ${port} did not start`);
      await sleep(20);
    }
  };
  const kill = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };

  t.after(async () => {
    await kill();
    await rm(dir, { recursive: true, force: true });
  });
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, restart: start, pid: () => child?.pid ?? 0 };
}
