// `npm test`: every project's tests through Nx, then one closing line with the counts of all of them,
// summed from the node test runner's own summaries (Nx replays them for cached projects too).
import { spawn } from 'node:child_process';

const totals = { tests: 0, pass: 0, fail: 0, skipped: 0, cancelled: 0, todo: 0 };
type Counter = keyof typeof totals;
const SUMMARY = /^ℹ (tests|pass|fail|skipped|cancelled|todo) (\d+)\s*$/;

const nx = spawn(
  process.execPath,
  ['node_modules/nx/dist/bin/nx.js', 'run-many', '-t', 'test', '--output-style=static', ...process.argv.slice(2)],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', ...process.env } },
);

let partial = '';
const count = (line: string) => {
  const match = SUMMARY.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
  if (match) totals[match[1] as Counter] += Number(match[2]);
};
nx.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk.toString()).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) count(line);
});

// 'close', not 'exit': Nx's last output may still be in the pipe when it exits, and a summary lost there would leave
// its tests, and its skips, out of the counts.
nx.on('close', (code) => {
  count(partial);
  const failed = totals.fail + totals.cancelled;
  const exitCode = code === 0 && failed === 0 && totals.tests > 0 ? 0 : 1;
  if (totals.tests === 0) process.stdout.write('no test ran\n');
  process.stdout.write(`\n${totals.pass} passed, ${failed} failed, ${totals.skipped + totals.todo} skipped\n`);
  process.exit(exitCode);
});
