import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './processes.js';
import type { HopVariant } from './hop/hop-ratios.js';
import type { CpuPerRequest } from './hop/run-hops.js';
import type { FailedAnswers } from './failed-answers.js';
import type { DeliveryLatency } from './push-delivery.js';
import type { WrkResult } from './wrk.js';

/** bench/results/latest.json: the issue's keys at the top, then what they were measured from. */
export interface BenchResults {
  mode: 'quick' | 'full';
  measured_at: string;
  mesh_vs_inprocess: number;
  mesh_feed: LatencyFigures;
  inprocess_feed: LatencyFigures;
  hop_vs_bare: number;
  hop_vs_bare_sampled_10pct: number;
  hop_vs_bare_untraced: number;
  stock_trpc_hop_vs_bare: number;
  moleculer_hop_vs_bare: number;
  /**
   * Beyond the issue's keys: CPU µs per request of each hop variant's serving process and of the process it calls
   * (bare: its only one), medians over the rounds. The serving process keeps a core busy, so bare's caller over a
   * variant's caller is close to that variant's ratio.
   */
  hop_cpu_us_per_request: Record<HopVariant, CpuPerRequest>;
  feed_p50_1m_over_10k: number;
  favorite_list_p50_1m_over_10k: number;
  like_storm_exact: boolean;
  upload_rss_growth_mb: number;
  upload_vs_raw_put: number;
  /**
   * Beyond the issue's keys: the push channel's poll at the large scale, ms per inbox call for `users` users, from
   * 5 s back as the hub asks (read by time) and from further back (read by each user's indexes); `messages` is the
   * most one answer held (0: nothing new, the case measured).
   */
  chat_poll_ms: { users: number; messages: number; by_time: number; by_user: number };
  /**
   * Beyond the issue's keys: the push channel at the large scale, `connections` users connected while `messages`
   * messages went through their gateway (at once) and as many straight to the message service (found by the
   * gateway's poll); ms from each send to its arrival on the recipient's connection. Every message owes one delivery
   * to each of its two users: `missing` and `duplicates` count those that did not come or came twice.
   * `idle_cpu_percent`: what the connections cost the gateway and the message service with nothing sent.
   */
  push_delivery_ms: {
    connections: number;
    messages: number;
    at_once: DeliveryLatency;
    polled: DeliveryLatency;
    missing: number;
    duplicates: number;
    /** Sends refused or failed along the way; they owe no delivery. */
    failed_sends: number;
    idle_cpu_percent: { gateway: number; message: number };
  };
  /** Beyond the issue's keys: per figure, what failed in the runs behind it (failed-answers.ts); any is a MISS. */
  failed_answers: FailedAnswers;
  /** Scales, settings and caveats, so a reader knows what each figure means (quick mode says it is smaller). */
  notes: string[];
  details: Record<string, unknown>;
}

export interface LatencyFigures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  /** Timeouts, socket errors and answers whose status_code was not 0. */
  errors: number;
}

export const latency = (r: WrkResult): LatencyFigures => ({
  rps: round(r.rps),
  p50_ms: round(r.p50Ms),
  p99_ms: round(r.p99Ms),
  requests: r.requests,
  errors: r.errors,
});

export const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/** A hop variant's CPU per request, for its row of the table (the first row also gives the bare route's). */
const hopCpu = (r: BenchResults, variant: HopVariant): string => {
  const { caller, callee } = r.hop_cpu_us_per_request[variant];
  const bare = variant === 'mesh' ? `bare route ${r.hop_cpu_us_per_request.bare.caller} µs, ` : '';
  return `(CPU per request: ${bare}caller ${caller} µs, callee ${callee} µs)`;
};

/** The issue's goals, printed next to each figure. */
const GOALS: Array<[string, (r: BenchResults) => string, (r: BenchResults) => boolean]> = [
  [
    'mesh_vs_inprocess (≥ 0.5, p99 < 50 ms)',
    (r) => `${r.mesh_vs_inprocess} (mesh ${r.mesh_feed.rps} req/s p50 ${r.mesh_feed.p50_ms} p99 ${r.mesh_feed.p99_ms} ms; in-process ${r.inprocess_feed.rps} req/s p50 ${r.inprocess_feed.p50_ms} p99 ${r.inprocess_feed.p99_ms} ms)`,
    (r) => r.mesh_vs_inprocess >= 0.5 && r.mesh_feed.p99_ms < 50,
  ],
  ['hop_vs_bare (≥ 0.55)', (r) => `${r.hop_vs_bare} ${hopCpu(r, 'mesh')}`, (r) => r.hop_vs_bare >= 0.55],
  ['hop_vs_bare_sampled_10pct (reference)', (r) => `${r.hop_vs_bare_sampled_10pct} ${hopCpu(r, 'meshSampled')}`, () => true],
  ['hop_vs_bare_untraced (reference)', (r) => `${r.hop_vs_bare_untraced} ${hopCpu(r, 'meshUntraced')}`, () => true],
  ['stock_trpc_hop_vs_bare (reference)', (r) => `${r.stock_trpc_hop_vs_bare} ${hopCpu(r, 'stockTrpc')}`, () => true],
  ['moleculer_hop_vs_bare (reference)', (r) => `${r.moleculer_hop_vs_bare} ${hopCpu(r, 'moleculer')}`, () => true],
  ['feed_p50_1m_over_10k (≤ 1.2)', (r) => String(r.feed_p50_1m_over_10k), (r) => r.feed_p50_1m_over_10k <= 1.2],
  ['favorite_list_p50_1m_over_10k (≤ 1.2)', (r) => String(r.favorite_list_p50_1m_over_10k), (r) => r.favorite_list_p50_1m_over_10k <= 1.2],
  ['like_storm_exact (true)', (r) => String(r.like_storm_exact), (r) => r.like_storm_exact],
  ['upload_rss_growth_mb (< 50)', (r) => String(r.upload_rss_growth_mb), (r) => r.upload_rss_growth_mb < 50],
  ['upload_vs_raw_put (≥ 0.5)', (r) => String(r.upload_vs_raw_put), (r) => r.upload_vs_raw_put >= 0.5],
  [
    'chat_poll_ms (reference)',
    (r) =>
      `${r.chat_poll_ms.by_time} by time, ${r.chat_poll_ms.by_user} by user (${r.chat_poll_ms.users} users, ` +
      `${r.chat_poll_ms.messages === 0 ? 'nothing new' : `up to ${r.chat_poll_ms.messages} messages an answer`})`,
    () => true,
  ],
  [
    'push_delivery_ms (reference; each message once)',
    ({ push_delivery_ms: p }) =>
      `at once p50 ${p.at_once.p50} p99 ${p.at_once.p99}, by poll p50 ${p.polled.p50} p99 ${p.polled.p99} (${p.connections} connections, ` +
      `${p.messages} messages each way${p.failed_sends > 0 ? `, ${p.failed_sends} of them failed to send` : ''}; ${p.missing} missing, ` +
      `${p.duplicates} twice; idle: gateway ${p.idle_cpu_percent.gateway}%, ` +
      `message ${p.idle_cpu_percent.message}% of a core)`,
    ({ push_delivery_ms: p }) => p.missing === 0 && p.duplicates === 0,
  ],
];

/** The table printed at the end of a run. */
export function table(results: BenchResults): string {
  const width = Math.max(...GOALS.map(([name]) => name.length));
  const lines = GOALS.map(([name, value, met]) => {
    const failed = results.failed_answers[name.split(' ')[0]!] ?? 0;
    const measured = failed === 0 ? '' : ` [${failed} failed in the runs behind it]`;
    return `${name.padEnd(width)}  ${met(results) && failed === 0 ? 'met ' : 'MISS'}  ${value(results)}${measured}`;
  });
  return [`${'figure (goal)'.padEnd(width)}  goal  value`, ...lines, '', ...results.notes.map((note) => `note: ${note}`)].join('\n');
}

/** Writes bench/results/latest.json and returns its path. */
export async function writeResults(results: BenchResults): Promise<string> {
  const dir = join(REPO_ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
