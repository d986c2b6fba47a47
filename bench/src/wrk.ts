import { spawn } from 'node:child_process';

export interface WrkRun {
  url: string;
  /** A deploy/wrk script (wrk -s) and the environment it reads (TOKENS, USER_MAX, ...). */
  script?: string;
  env?: Record<string, string>;
  connections: number;
  durationSec: number;
  threads?: number;
}

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Socket errors (connect, read, write, timeout), non-2xx/3xx answers, and APK errors a deploy/wrk script counted. */
  errors: number;
  /** The first failed answer a deploy/wrk script saw (HTTP status and the start of the body). */
  firstApkError?: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latencyMs(output: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
  if (!match) throw new Error(`wrk printed no ${percentile}% latency:\n${output}`);
  return Number(match[1]) * (UNIT_MS[match[2]!] ?? Number.NaN);
}

function count(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  return match ? match.slice(1).reduce((sum, n) => sum + Number(n ?? 0), 0) : 0;
}

/** Parses what `wrk --latency` prints; exported for its test. */
export function parseWrk(output: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  if (!rps) throw new Error(`wrk printed no Requests/sec:\n${output}`);
  return {
    rps: Number(rps[1]),
    p50Ms: latencyMs(output, '50'),
    p99Ms: latencyMs(output, '99'),
    requests: count(output, /^\s*(\d+) requests in/m),
    errors:
      count(output, /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/) +
      count(output, /Non-2xx or 3xx responses: (\d+)/) +
      count(output, /^APK answers: \d+ ok, (\d+) with status_code/m),
    firstApkError: /^first APK error: (.*)$/m.exec(output)?.[1],
  };
}

/** Runs the Debian `wrk` with --latency and returns its figures; rejects when wrk fails or is missing. */
export function runWrk(run: WrkRun): Promise<WrkResult> {
  const args = ['--latency', '-t', String(run.threads ?? 2), '-c', String(run.connections), '-d', `${run.durationSec}s`, '--timeout', '5s'];
  if (run.script) args.push('-s', run.script);
  args.push(run.url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env: { ...process.env, ...run.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.once('error', (err) => reject(new Error(`wrk could not start (apt-get install -y wrk): ${err.message}`)));
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${output}`));
      try {
        resolve(parseWrk(output));
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}
