import { bySubject, CounterTally } from './counter-tally.js';
import { mariadbStatementCounters } from './mariadb-statements.js';
import { cpuMicros, processesCpu, type NamedProcesses } from './process-cpu.js';
import { redisCommandCounters } from './redis-commands.js';
import { round } from './report.js';

/** What one scale's requests are charged to: every process of its mesh, its Redis and its database. */
export interface ScaleResources {
  processes: NamedProcesses;
  redisUrl: string;
  databaseUrl: string;
}

type ScaleName = 'small' | 'large';
type Figures = Record<string, Record<string, number>>;

/** What a request cost each resource at one scale. */
export interface ScaleCosts {
  cpu_us: Record<string, number>;
  /** By command: calls per request and µs of Redis per call. */
  redis_commands: Figures;
  /** Keys read per request (by any command), found or not. */
  redis_keys_read: { hits: number; misses: number };
  /** By statement shape: calls, µs and rows examined per request; `buffer pool`: page reads, and those from disk. */
  mariadb_statements: Figures;
}

/** The statements shown in the notes, those costing the large scale most. */
const NOTED_STATEMENTS = 4;
const NOTED_TEXT_CHARS = 90;

/**
 * The statements a scale's requests ran, and the buffer pool's reads: the server keeps a digest of every statement
 * since it started (migrations, seeding, the other scale's), which stay at zero over the runs measured.
 */
export const ranStatements = (figures: Figures): Figures =>
  Object.fromEntries(Object.entries(figures).filter(([subject, measures]) => subject === 'buffer pool' || (measures.calls ?? 0) > 0));

const rounded = (figures: Figures, digits: number): Figures =>
  Object.fromEntries(Object.entries(figures).map(([subject, measures]) => [subject, Object.fromEntries(Object.entries(measures).map(([k, v]) => [k, round(v, digits)]))]));

/**
 * Charges each scale's measured runs with their CPU by process, Redis commands and database statements, so that what
 * makes one scale's requests dearer than the other's can be read off by resource and by command or statement.
 */
export class ScaleCostTally {
  private readonly tallies: Record<ScaleName, { cpu: CounterTally; redis: CounterTally; statements: CounterTally }>;

  constructor(hooks: { after(fn: () => unknown): void }, scales: Record<ScaleName, ScaleResources>) {
    const tallies = (r: ScaleResources) => ({
      cpu: new CounterTally(processesCpu(r.processes)),
      redis: new CounterTally(redisCommandCounters(hooks, r.redisUrl)),
      statements: new CounterTally(mariadbStatementCounters(hooks, r.databaseUrl)),
    });
    this.tallies = { small: tallies(scales.small), large: tallies(scales.large) };
  }

  /** Runs `run` with everything it costs charged to `scale`. */
  measure<T extends { requests: number }>(scale: ScaleName, run: () => Promise<T>): Promise<T> {
    return CounterTally.measure(Object.values(this.tallies[scale]), run);
  }

  costs(): Record<ScaleName, ScaleCosts> {
    const of = (scale: ScaleName): ScaleCosts => {
      const { cpu, redis, statements } = this.tallies[scale];
      const { 'keys read': keys, ...served } = bySubject(redis.perRequest());
      const commands = Object.entries(served).filter(([, c]) => (c.calls ?? 0) > 0);
      return {
        cpu_us: cpuMicros(cpu.perRequest()),
        redis_commands: rounded(Object.fromEntries(commands.map(([name, c]) => [name, { calls: c.calls!, us_per_call: (c.usec ?? 0) / c.calls! }])), 2),
        redis_keys_read: { hits: round(keys?.hits ?? 0, 1), misses: round(keys?.misses ?? 0, 1) },
        mariadb_statements: rounded(ranStatements(bySubject(statements.perRequest())), 2),
      };
    };
    return { small: of('small'), large: of('large') };
  }
}

/** Note lines comparing two scales' costs per request of `what` ("favorite lists"), small / large. */
export function scaleCostNotes(what: string, labels: Record<ScaleName, string>, costs: Record<ScaleName, ScaleCosts>): string[] {
  const { small, large } = costs;
  const both = (a: number | undefined, b: number | undefined) => `${a ?? '-'} / ${b ?? '-'}`;
  const per = `per ${what.replace(/s$/, '')} at ${labels.small} / ${labels.large}`;
  const commands = [...new Set([...Object.keys(small.redis_commands), ...Object.keys(large.redis_commands)])];
  const { 'buffer pool': smallPool, ...smallStatements } = small.mariadb_statements;
  const { 'buffer pool': largePool, ...largeStatements } = large.mariadb_statements;
  const keysRead = (c: ScaleCosts) => round(c.redis_keys_read.hits + c.redis_keys_read.misses, 1);
  // Redis's own time (commandstats) per key its MGETs read: per-key cost apart from how many keys a request reads.
  const mgetPerKey = (c: ScaleCosts) => {
    const mget = c.redis_commands.mget;
    return mget && keysRead(c) > 0 ? round((mget.calls! * mget.us_per_call!) / keysRead(c), 2) : undefined;
  };
  const costliest = Object.entries(largeStatements)
    .sort(([, a], [, b]) => (b.us ?? 0) - (a.us ?? 0))
    .slice(0, NOTED_STATEMENTS);
  return [
    `${what}, CPU µs ${per}: ` + Object.keys(large.cpu_us).map((name) => `${name} ${both(small.cpu_us[name], large.cpu_us[name])}`).join(', '),
    `${what}, Redis keys read ${per}: ${both(keysRead(small), keysRead(large))} ` +
      `(${both(small.redis_keys_read.misses, large.redis_keys_read.misses)} of them missing; MGET µs per key ${both(mgetPerKey(small), mgetPerKey(large))}); ` +
      `commands (µs each): ` +
      commands
        .map((name) => {
          const [s, l] = [small.redis_commands[name], large.redis_commands[name]];
          return `${name} ${both(s?.calls, l?.calls)} (${both(s?.us_per_call, l?.us_per_call)})`;
        })
        .join(', '),
    `${what}, MariaDB ${per}: buffer pool page reads ${both(smallPool?.['page reads'], largePool?.['page reads'])}, ` +
      `from disk ${both(smallPool?.['from disk'], largePool?.['from disk'])}; ` +
      (costliest.length === 0
        ? 'no statement digests (performance_schema off)'
        : `costliest statements at ${labels.large} (calls, µs, rows examined): ` +
          costliest
            .map(([text, l]) => {
              const s = smallStatements[text];
              const shown = text.length > NOTED_TEXT_CHARS ? `${text.slice(0, NOTED_TEXT_CHARS)}…` : text;
              return `"${shown}" ${both(s?.calls, l.calls)}, ${both(s?.us, l.us)}, ${both(s?.['rows examined'], l['rows examined'])}`;
            })
            .join('; ')),
  ];
}
