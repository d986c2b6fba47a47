import { join } from 'node:path';
import { startPrivateRedis } from '@douyin/testing';
import { CounterTally } from './counter-tally.js';
import { benchDatabaseName, ensureDatabase, replacerFor } from './databases.js';
import { meshProcesses, startMesh, wrkEnv } from './mesh.js';
import { cpuMicros, processesCpu, type NamedProcesses } from './process-cpu.js';
import { Hooks, REPO_ROOT } from './processes.js';
import { latency, type LatencyFigures } from './report.js';
import { countLabel, scaleFor } from './seed/scale.js';
import { seed } from './seed/seeder.js';
import type { ScaleTarget } from './scale-rounds.js';
import { runWrk } from './wrk.js';

/**
 * The write routes measured, by their deploy/wrk scripts: likes of random videos, follows of random users and
 * comments on random videos, each undone (unliked, unfollowed, deleted) a while later, and messages between random
 * users.
 */
export const WRITE_SCRIPTS = ['favorite-action', 'relation-action', 'comment-action', 'message-action'] as const;

export interface WriteCost {
  script: string;
  /** Each measured run. */
  runs: LatencyFigures[];
  /** CPU µs per request of every process over the measured runs, and their total. */
  cpu_us: Record<string, number>;
  /** The total CPU µs per request of each measured run alone: the machine's speed moves between runs. */
  run_cpu_us: number[];
}

export interface WriteCostOptions {
  connections: number;
  seconds: number;
  /** Runs of each script before the measured ones, so that V8 has compiled the write paths. */
  warmRuns: number;
  runs: number;
}

/**
 * What each write costs a warm mesh: every script run `warmRuns` times, then each `runs` times with every
 * process's CPU read around each run. All of them warm up before any is measured, so that no process meets its first
 * calls (V8 still compiling their paths) during another script's measured runs. Answers are checked by the scripts; a
 * run with failed answers is reported, not fatal.
 */
export async function measureWriteCosts(target: ScaleTarget, processes: NamedProcesses, options: WriteCostOptions): Promise<WriteCost[]> {
  const run = (script: string) =>
    runWrk({ url: target.url, script: join(REPO_ROOT, 'deploy', 'wrk', `${script}.lua`), env: target.env, connections: options.connections, durationSec: options.seconds });
  for (let i = 0; i < options.warmRuns; i++) for (const script of WRITE_SCRIPTS) await run(script);
  const costs: WriteCost[] = [];
  for (const script of WRITE_SCRIPTS) {
    const readCpu = processesCpu(processes);
    const cpu = new CounterTally(readCpu);
    const runs: LatencyFigures[] = [];
    const runCpu: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const thisRun = new CounterTally(readCpu);
      runs.push(latency(await CounterTally.measure([cpu, thisRun], () => run(script))));
      runCpu.push(cpuMicros(thisRun.perRequest()).total ?? 0);
    }
    costs.push({ script, runs, cpu_us: cpuMicros(cpu.perRequest()), run_cpu_us: runCpu });
  }
  return costs;
}

/**
 * The writes measured on a mesh and a Redis of their own, over a database of their own seeded at `videos`: random
 * writes change what the scale comparisons' databases hold (their lists would grow from run to run). The mesh is
 * stopped before this returns, so it costs the measurements after it nothing; `bench` stops it too if the bench ends
 * meanwhile.
 */
export async function measureWritesApart(
  bench: Pick<Hooks, 'after'>,
  server: { url: string; pid?: number },
  videos: number,
  otlpUrl: string,
  options: WriteCostOptions,
  /** What the bench starts meanwhile: awaited before the first run, so no start-up shares the cores with a write. */
  startingAlongside: Promise<unknown>,
): Promise<{ database: string; costs: WriteCost[] }> {
  const hooks = new Hooks();
  bench.after(() => hooks.run());
  try {
    const scale = scaleFor(videos);
    const database = benchDatabaseName(`writes_${countLabel(videos)}`);
    const url = await ensureDatabase(server.url, database);
    await seed(url, scale, undefined, replacerFor(server, database));
    const redis = await startPrivateRedis(hooks);
    const mesh = await startMesh(hooks, { databaseUrl: url, redisUrl: redis.url, otlpUrl, compiled: true });
    const target = { url: mesh.gateway.url, env: await wrkEnv(mesh, scale) };
    await startingAlongside;
    return { database, costs: await measureWriteCosts(target, meshProcesses(mesh, server.pid, redis.pid()), options) };
  } finally {
    await hooks.run();
  }
}

/** One line per script: requests a second over the runs, CPU µs per request by process, and each run's total. */
export function writeCostNotes(costs: readonly WriteCost[], where: string): string[] {
  return costs.map(({ script, runs, cpu_us, run_cpu_us }) => {
    const rates = runs.map((r) => Math.round(r.rps));
    const failed = runs.reduce((sum, r) => sum + r.errors, 0);
    const byProcess = Object.entries(cpu_us).map(([name, us]) => `${name} ${us}`).join(', ');
    const spread = run_cpu_us.length > 1 ? ` (runs ${Math.min(...run_cpu_us)}–${Math.max(...run_cpu_us)})` : '';
    return `writes, ${script} ${where}: ${Math.min(...rates)}–${Math.max(...rates)} req/s${failed > 0 ? ` (${failed} answers failed)` : ''}; CPU µs per request: ${byProcess}${spread}`;
  });
}
