import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CpuTally } from './cpu-tally.js';

// Spins until this process has used `ms` of CPU in user mode, however busy the machine is (each check is a system
// call, so it spends about as much again in the kernel).
const spin = (ms: number) => {
  const start = process.cpuUsage();
  while (process.cpuUsage(start).user < ms * 1000);
};

test('CpuTally divides the CPU summed over runs by the requests summed over them', async () => {
  const tally = new CpuTally({ bench: process.pid, unknown: 0 });
  const before = process.cpuUsage();
  await tally.measure(async () => (spin(200), { requests: 100 }));
  await tally.measure(async () => (spin(100), { requests: 300 }));
  const used = process.cpuUsage(before);
  const perRequest = tally.microsPerRequest();
  // /proc counts in 10 ms ticks, read at both ends of each run: 40 ms over 400 requests at most. An average of the
  // runs' own ratios would come out half as much again (the 100-request run weighing as much as the other).
  const expected = (used.user + used.system) / 400;
  assert.ok(Math.abs(perRequest.bench! - expected) <= 100, `bench: ${perRequest.bench} µs, expected about ${expected}`);
  assert.equal(perRequest.total, perRequest.bench);
  assert.deepEqual(Object.keys(perRequest), ['bench', 'total'], 'a process without a pid is not measured');
});

test('CpuTally reports nothing before a run with requests', () => {
  assert.deepEqual(new CpuTally({ bench: process.pid }).microsPerRequest(), {});
});
