import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { outsideRequests } from '@douyin/telemetry';
import { currentScope, runInScope } from './call-scope.js';

test('the scope lives in the OpenTelemetry context: a function bound to the context inside a scope sees it later', async () => {
  const scope = { requestId: 'r-1', deadline: 42 };
  const bound = runInScope(scope, () => context.bind(context.active(), () => currentScope()));
  assert.equal(currentScope(), undefined);
  assert.equal(bound(), scope);
});

test('nested scopes shadow the outer one and end with their function, across awaits', async () => {
  const outer = { requestId: 'outer', deadline: 1 };
  const inner = { requestId: 'inner', deadline: 2 };
  await runInScope(outer, async () => {
    await runInScope(inner, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      assert.equal(currentScope(), inner);
    });
    assert.equal(currentScope(), outer);
  });
  assert.equal(currentScope(), undefined);
});

test('a timer started outsideRequests from inside a request runs without its scope or trace', async () => {
  const request = trace.setSpanContext(context.active(), { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
  const seen = await context.with(request, () =>
    runInScope({ requestId: 'r-1', deadline: 1 }, () => {
      const inside = new Promise((resolve) => setTimeout(() => resolve([currentScope()?.requestId, trace.getSpanContext(context.active())?.traceId]), 1));
      const outside = outsideRequests(
        () => new Promise((resolve) => setTimeout(() => resolve([currentScope()?.requestId, trace.getSpanContext(context.active())?.traceId]), 1)),
      );
      return Promise.all([inside, outside]);
    }),
  );
  assert.deepEqual(seen, [
    ['r-1', 'a'.repeat(32)],
    [undefined, undefined],
  ]);
});
