import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The repository root: processes start there, so `--import @douyin/telemetry/preload` and tsx's tsconfig paths resolve. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The V8 flags the image sets (Dockerfile, NODE_OPTIONS): every measured process, mesh or baseline, runs with them.
 * A feed page allocates a lot that dies young; the default 16 MB semi-space made scavenges a fifth of the gateway's CPU.
 */
export const PRODUCTION_NODE_OPTIONS = '--max-semi-space-size=64';

/** The compiled form (build.ts) of one of the bench's scripts, e.g. `./hop/bare.ts` (relative to bench/src). */
export const compiledScript = (script: string): string => join(REPO_ROOT, 'bench', 'dist', 'bench', 'src', script.replace(/\.ts$/, '.js'));

/** Clean-up hooks run in reverse order at the end of the bench, the shape libs/testing's helpers register into. */
export class Hooks {
  private readonly hooks: Array<() => unknown> = [];
  after(fn: () => unknown): void {
    this.hooks.push(fn);
  }
  async run(): Promise<void> {
    for (const hook of this.hooks.splice(0).reverse()) await Promise.resolve().then(hook).catch(() => undefined);
  }
}

export interface BenchProcess {
  pid: number;
  url: string;
  stop(): Promise<void>;
  output(): string;
}

function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/**
 * Starts one of the bench's own servers (bench/src/hop/*.ts, ...) from its build (see build.ts) as a process on
 * `port`, optionally behind the telemetry preload, and resolves once GET `readyPath` answers 200. Stopped by `hooks`.
 */
export async function startScript(
  hooks: Hooks,
  script: string,
  port: number,
  env: Record<string, string | undefined> = {},
  opts: { tracing?: boolean; readyPath?: string } = {},
): Promise<BenchProcess> {
  const preload = opts.tracing ? ['--import', '@douyin/telemetry/preload'] : [];
  const merged = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_OPTIONS: PRODUCTION_NODE_OPTIONS, ...env };
  const childEnv = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
  const child = spawn(process.execPath, [...preload, compiledScript(script)], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (text: string) => (output = (output + text).slice(-64 * 1024));
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  };
  hooks.after(stop);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  let status = 0;
  while ((status = await statusOf(url + (opts.readyPath ?? '/readyz'))) !== 200) {
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (exited || Date.now() > deadline) {
      // Which of the two tells where to look: a crash at start, or a process that never listened (or never got ready).
      const state = exited ? `it exited (${child.exitCode ?? child.signalCode})` : `it still ran after 30 s, its readiness answering ${status || 'nothing'}`;
      await stop();
      throw new Error(`${script} did not become ready on ${port}: ${state}; its output:\n${output}`);
    }
    await sleep(100);
  }
  return { pid: child.pid ?? 0, url, stop, output: () => output };
}

/** Resident set size of a process in MB, from /proc (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}
