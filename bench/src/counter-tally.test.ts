import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bySubject, CounterTally } from './counter-tally.js';
import { cpuMicros, processesCpu } from './process-cpu.js';

// Spins until this process has used `ms` of CPU in user mode, however busy the machine is (each check is a system
// call, so it spends about as much again in the kernel).
const spin = (ms: number) => {
  const start = process.cpuUsage();
  while (process.cpuUsage(start).user < ms * 1000);
};

test('a CPU tally divides the CPU summed over runs by the requests summed over them', async () => {
  const tally = new CounterTally(processesCpu({ bench: process.pid, unknown: 0 }));
  const before = process.cpuUsage();
  await CounterTally.measure([tally], async () => (spin(200), { requests: 100 }));
  await CounterTally.measure([tally], async () => (spin(100), { requests: 300 }));
  const used = process.cpuUsage(before);
  const perRequest = cpuMicros(tally.perRequest());
  // /proc counts in 10 ms ticks, read at both ends of each run: 40 ms over 400 requests at most. An average of the
  // runs' own ratios would come out half as much again (the 100-request run weighing as much as the other).
  const expected = (used.user + used.system) / 400;
  assert.ok(Math.abs(perRequest.bench! - expected) <= 100, `bench: ${perRequest.bench} µs, expected about ${expected}`);
  assert.equal(perRequest.total, perRequest.bench);
  assert.deepEqual(Object.keys(perRequest), ['bench', 'total'], 'a process without a pid is not measured');
});

test('tallies measured together charge the same run, and a counter first seen afterwards grew from nothing', async () => {
  let served = 10;
  let statements: Record<string, number> = { 'select a\tcalls': 4 };
  const commands = new CounterTally(async () => ({ served }));
  const database = new CounterTally(async () => statements);
  const result = await CounterTally.measure([commands, database], async () => {
    served += 30;
    statements = { 'select a\tcalls': 10, 'select b\tcalls': 5, 'select b\trows': 50 };
    return { requests: 5, body: 'kept' };
  });
  assert.equal(result.body, 'kept');
  assert.deepEqual(commands.perRequest(), { served: 6 });
  assert.deepEqual(bySubject(commands.perRequest()), { served: { value: 6 } });
  assert.deepEqual(bySubject(database.perRequest()), { 'select a': { calls: 1.2 }, 'select b': { calls: 1, rows: 10 } });
});

test('a tally reports nothing before a run with requests', async () => {
  const tally = new CounterTally(async () => ({ served: 1 }));
  assert.deepEqual(tally.perRequest(), {});
  await CounterTally.measure([tally], async () => ({ requests: 0 }));
  assert.deepEqual(tally.perRequest(), {});
  assert.deepEqual(cpuMicros({}), {});
});
