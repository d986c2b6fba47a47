import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './process-cpu.js';

/** One app running as its own process, as it runs in production. */
export interface AppProcess {
  app: string;
  port: number;
  url: string;
  pid: number;
  /** SIGTERM and wait for exit; resolves with the exit code */
  stop(): Promise<number | null>;
  /** SIGKILL, like a crash */
  kill(): Promise<void>;
  /** what it printed so far (stdout+stderr), for failure messages */
  output(): string;
}

// libs/testing/src/ -> the repository root, where tsx finds the tsconfig that maps @douyin/* to sources.
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// Tests read log lines back (what a process discovered), so keep a lot; the cap only stops a runaway app.
const OUTPUT_LIMIT = 1024 * 1024;
// A clean-up after a failed test should not wait for the app's own 10 s shutdown guard.
const AFTER_TEST_GRACE_MS = 3_000;
/**
 * An app from its sources is ready in about 2 s on an idle machine of two cores; CI runs two projects' tests at once,
 * whose databases, load tests and other apps can leave a starting process a small share of a core for a while.
 */
const READY_TIMEOUT_MS = 45_000;
/** The one port above 10,000 that fetch() refuses to connect to (the Fetch standard's "bad ports"). */
const FETCH_BAD_PORT = 10_080;

/**
 * A port that was free on 127.0.0.1 a moment ago (another process may still take it before the app binds).
 * Chosen at random below the kernel's ephemeral range: ports from bind(0) and outgoing connections come from that
 * range, so a port handed out here is far less likely to be taken by a parallel test before its app listens.
 */
export async function freePort(): Promise<number> {
  const low = await ephemeralRangeStart();
  for (let attempt = 0; low > 11_000 && attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 11_000));
    if (port !== FETCH_BAD_PORT && (await canListen(port))) return port;
  }
  return listenOn(0);
}

let rangeStart: Promise<number> | undefined;
function ephemeralRangeStart(): Promise<number> {
  rangeStart ??= readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').then(
    (text) => Number(text.trim().split(/\s+/)[0]) || 0,
    () => 0, // not Linux: the kernel's own choice below
  );
  return rangeStart;
}

const canListen = (port: number) => listenOn(port).then(() => true, () => false);

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject).listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * What a process that did not get ready was doing: little CPU time on a busy machine says it waited for a core, little
 * on an idle one that it waited for something else (a lock, a connection).
 */
async function startState(pid: number): Promise<string> {
  const [cpu, load] = await Promise.all([cpuSeconds(pid).catch(() => undefined), readFile('/proc/loadavg', 'utf8').catch(() => '')]);
  return `its CPU time ${cpu === undefined ? 'unknown' : `${cpu.toFixed(2)} s`}; load average ${load.split(' ').slice(0, 3).join(' ') || 'unknown'}`;
}

/** GET /readyz without keep-alive (polling must leave no idle socket to hold the app's graceful close): the pid that answered ready, if any. */
function readyPid(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = get(`${url}/readyz`, { agent: false, timeout: 1_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? Number((JSON.parse(body) as { pid?: unknown }).pid) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/**
 * Starts apps/<app>/src/main.ts (or its build, `compiled`) as its own process on a free loopback port with `env`
 * added, and resolves once GET /readyz answers 200 (rejects with the output if it exits or is not ready in time). A PORT in `env` is used
 * as given (to restart on the same port); an `undefined` value removes that variable from the inherited environment,
 * so a developer's DATABASE_URL or CONSUL_HTTP_ADDR cannot leak into a test that means to run without it.
 */
export async function startApp(
  t: { after(fn: () => unknown): void },
  app: string,
  env: Record<string, string | undefined>,
  opts: { readyTimeoutMs?: number; compiled?: boolean } = {},
): Promise<AppProcess> {
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT);
  const url = `http://127.0.0.1:${port}`;
  const merged: Record<string, string | undefined> = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env };
  const childEnv = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
  // Started like production: the telemetry preload first (inert unless the env configures tracing). `compiled`
  // runs the `tsc -b` output exactly as the image does; otherwise tsx runs the sources, which needs no build.
  const args = opts.compiled
    ? ['--import', '@douyin/telemetry/preload', `apps/${app}/dist/src/main.js`]
    : ['--import', 'tsx', '--import', './libs/telemetry/src/preload.ts', `apps/${app}/src/main.ts`];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const chunks: string[] = [];
  let size = 0;
  const collect = (text: string) => {
    chunks.push(text);
    size += text.length;
    while (size > OUTPUT_LIMIT && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
  };
  const output = () => chunks.join('');
  // Decoded by the streams, so a character split across two chunks is not garbled.
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  let exitCode: number | null | undefined; // undefined while running
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => {
      exitCode = code;
      resolve(code);
    });
    child.once('error', (err) => {
      collect(`spawn failed: ${err.message}\n`);
      exitCode = null;
      resolve(null);
    });
  });

  const signal = (name: NodeJS.Signals) => {
    if (exitCode === undefined) child.kill(name);
    return exited;
  };
  const proc: AppProcess = {
    app,
    port,
    url,
    pid: child.pid ?? 0,
    stop: () => signal('SIGTERM'),
    kill: async () => void (await signal('SIGKILL')),
    output,
  };
  t.after(async () => {
    if (exitCode !== undefined) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), AFTER_TEST_GRACE_MS);
    await proc.stop();
    clearTimeout(timer);
  });

  const deadline = Date.now() + (opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
  const describe = (why: string) => new Error(`${app} on port ${port} ${why}; its output:\n${output()}`);
  for (;;) {
    if (exitCode !== undefined) throw describe(`exited with code ${exitCode} before it was ready`);
    const pid = await readyPid(url);
    if (pid === proc.pid) return proc;
    if (pid !== undefined) {
      await proc.kill();
      throw describe(`is taken by another process (pid ${pid}), started by a parallel test`);
    }
    if (Date.now() > deadline) {
      const state = await startState(proc.pid);
      await proc.kill();
      throw describe(`was not ready within ${opts.readyTimeoutMs ?? READY_TIMEOUT_MS} ms (${state})`);
    }
    await Promise.race([sleep(50), exited]);
  }
}
