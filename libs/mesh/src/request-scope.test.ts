import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@douyin/telemetry';
import { createHttpApp, currentScope, scopeRequests } from './index.js';

test('a handler runs in its request scope, after a parsed body too: the request id and one deadline from arrival', async (t) => {
  const app = createHttpApp(silentLogger());
  scopeRequests(app, 2_000);
  // When the server had the request: the client's own send time would add however long a busy machine took to connect.
  let arrived = 0;
  app.addHook('onRequest', (_req, _reply, done) => {
    arrived = Date.now();
    done();
  });
  // Takes 100 ms before the handler, as a slow hook or body would: the deadline still counts from arrival.
  app.addHook('onRequest', async () => void (await sleep(100)));
  app.post('/scoped', async (req) => {
    await sleep(5);
    return { scope: currentScope(), id: req.id, now: Date.now() };
  });
  t.after(() => app.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });

  // Over a real socket, with a body that arrives after the headers.
  const res = await fetch(`${url}/scoped`, {
    method: 'POST',
    headers: { 'x-request-id': 'req-from-client', 'content-type': 'application/json' },
    body: new ReadableStream({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'));
        await sleep(20);
        controller.enqueue(new TextEncoder().encode('1}'));
        controller.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  const body = (await res.json()) as { scope?: { requestId: string; deadline: number }; id: string; now: number };
  assert.equal(body.id, 'req-from-client');
  assert.equal(body.scope?.requestId, 'req-from-client');
  const deadline = body.scope?.deadline ?? 0;
  assert.ok(Math.abs(deadline - (arrived + 2_000)) <= 20, `deadline ${deadline - arrived} ms after arrival`);
  assert.ok(body.now - arrived >= 100, 'the handler ran after the slow hook, yet the deadline counts from arrival');
  assert.equal(currentScope(), undefined, 'nothing leaks out of the request');
});
