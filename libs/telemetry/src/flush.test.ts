import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trace, type TracerProvider } from '@opentelemetry/api';
import { flushTraces } from './flush.js';

test('a collector that never takes the last spans costs a stop the flush limit, not its whole grace', async () => {
  let flushes = 0;
  const stuck = { getTracer: () => trace.getTracer('none'), forceFlush: () => (flushes++, new Promise<void>(() => undefined)) };
  trace.setGlobalTracerProvider(stuck as TracerProvider);
  const started = Date.now();
  await assert.rejects(flushTraces(200), /took more than 200 ms/);
  assert.ok(Date.now() - started < 1_000);
  assert.equal(flushes, 1);
});
