import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuDuring } from './process-cpu.js';

test('cpuDuring counts the CPU a process spends while the work runs, not while it waits', async () => {
  // Spins until this process has used 300 ms of CPU, however busy the machine is.
  const spin = async () => {
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user < 300_000);
  };
  const busy = await cpuDuring([process.pid], spin);
  const idle = await cpuDuring([process.pid], () => new Promise((resolve) => setTimeout(resolve, 300)));
  assert.ok(busy.seconds[0]! >= 0.28, `busy: ${busy.seconds[0]} s`);
  assert.ok(idle.seconds[0]! < 0.1, `idle: ${idle.seconds[0]} s`);
});
