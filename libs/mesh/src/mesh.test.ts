import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TRPCClientError } from '@trpc/client';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo, Socket } from 'node:net';
import { createMesh, runInScope, type Mesh, type MeshErrorData } from '@douyin/mesh';
import { createStaticRegistry, type Registry } from '@douyin/registry';
import { silentLogger } from '@douyin/telemetry';
import { MAX_FRAME_BYTES, STREAM_PROTOCOL } from './frames.js';
import { meshOver, startEcho, type EchoRouter } from '../test/echo-service.js';

const codeOf = (err: unknown) => ((err as TRPCClientError<never>).data as MeshErrorData | undefined)?.code;

/** Waits for the breaker of instance `id` to let its probe through (its reset time after it opened). */
async function halfOpen(mesh: Mesh, id: string): Promise<void> {
  for (let i = 0; mesh.breakerStates().get(id) !== 'half-open'; i++) {
    assert.ok(i < 100, `breaker ${mesh.breakerStates().get(id)}`);
    await sleep(20);
  }
}

/** A lone echo instance whose breaker three failures opened, with a 200 ms reset. */
async function openedBreaker(t: { after(fn: () => unknown): void }) {
  const only = await startEcho(t, 'only');
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${only.port}`, { retries: 0, resetMs: 200 });
  const echo = mesh.client<EchoRouter>('echo');
  for (let i = 0; i < 3; i++) await assert.rejects(echo.boom.query(), expectMeshError('INTERNAL_SERVER_ERROR'));
  return { mesh, echo, id: `echo@127.0.0.1:${only.port}` };
}

function expectMeshError(code: string, reason?: string) {
  return (err: unknown) => {
    assert.ok(err instanceof TRPCClientError, `expected TRPCClientError, got ${String(err)}`);
    assert.equal(codeOf(err), code);
    if (reason) assert.equal((err.data as MeshErrorData).reason, reason);
    return true;
  };
}

for (const transport of ['stream', 'http'] as const) {
  test(`[${transport}] round robin spreads calls over every instance`, async (t) => {
    const a = await startEcho(t, 'a');
    const b = await startEcho(t, 'b');
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${a.port},127.0.0.1:${b.port}`);
    const echo = mesh.client<EchoRouter>('echo');
    const answers = await Promise.all(Array.from({ length: 10 }, () => echo.whoami.query()));
    assert.equal(answers.filter((x) => x === 'a').length, 5);
    assert.equal(answers.filter((x) => x === 'b').length, 5);
  });

  test(`[${transport}] typed errors cross the mesh with code and reason; internal details do not`, async (t) => {
    const a = await startEcho(t, 'a');
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${a.port}`);
    const echo = mesh.client<EchoRouter>('echo');
    await assert.rejects(echo.missing.query(), expectMeshError('NOT_FOUND', 'user_not_found'));
    await assert.rejects(echo.boom.query(), (err: unknown) => {
      expectMeshError('INTERNAL_SERVER_ERROR')(err);
      assert.doesNotMatch((err as Error).message, /SELECT/);
      return true;
    });
  });

  test(`[${transport}] an error relayed through a middle service keeps its code and reason`, async (t) => {
    const leaf = await startEcho(t, 'leaf');
    const { mesh: middleMesh } = meshOver(t, transport, `leaf=127.0.0.1:${leaf.port}`);
    const middle = await startEcho(t, 'middle', { downstream: () => middleMesh });
    const { mesh } = meshOver(t, transport, `middle=127.0.0.1:${middle.port}`);
    await assert.rejects(mesh.client<EchoRouter>('middle').relay.query(), expectMeshError('NOT_FOUND', 'user_not_found'));
  });

  test(`[${transport}] a middle service relaying its dependency's outage keeps its own breaker closed`, async (t) => {
    const leaf = await startEcho(t, 'leaf');
    await leaf.stop();
    const { mesh: middleMesh } = meshOver(t, transport, `leaf=127.0.0.1:${leaf.port}`);
    const middle = await startEcho(t, 'middle', { downstream: () => middleMesh });
    const { mesh } = meshOver(t, transport, `middle=127.0.0.1:${middle.port}`);
    for (let i = 0; i < 10; i++) {
      await assert.rejects(mesh.client<EchoRouter>('middle').relayWhoami.query(), expectMeshError('SERVICE_UNAVAILABLE'));
    }
    assert.equal(middleMesh.breakerStates().get(`leaf@127.0.0.1:${leaf.port}`), 'open');
    // The middle answered every call itself: the leaf is the one to route around, not the middle.
    assert.equal(mesh.breakerStates().get(`middle@127.0.0.1:${middle.port}`), 'closed');
  });

  test(`[${transport}] a middle service whose dependency hangs answers before its caller gives up, and keeps its breaker closed`, async (t) => {
    const leaf = await startEcho(t, 'leaf');
    const { mesh: middleMesh } = meshOver(t, transport, `leaf=127.0.0.1:${leaf.port}`, { timeoutMs: 10_000 });
    const middle = await startEcho(t, 'middle', { downstream: () => middleMesh });
    const { mesh } = meshOver(t, transport, `middle=127.0.0.1:${middle.port}`, { timeoutMs: 1_000 });
    // Connected first (HTTP opens a connection per concurrent call): what is measured is a leaf that hangs under
    // traffic, not a first connection's set-up eating into the answer's margin.
    const middleClient = mesh.client<EchoRouter>('middle');
    assert.deepEqual(await Promise.all(Array.from({ length: 6 }, () => middleClient.relayWhoami.query())), Array(6).fill('leaf'));
    // Each call's budget runs out in the middle's call to the leaf. Its relayed timeout must reach the caller before
    // the caller's own timer fires, or every timeout of the leaf would count against the middle.
    const calls = await Promise.allSettled(Array.from({ length: 6 }, () => middleClient.relaySlow.query({ ms: 1_500 })));
    for (const call of calls) expectMeshError('GATEWAY_TIMEOUT')(call.status === 'rejected' ? call.reason : call.value);
    assert.equal(mesh.breakerStates().get(`middle@127.0.0.1:${middle.port}`), 'closed');
    assert.equal(await middleClient.whoami.query(), 'middle');
  });

  test(`[${transport}] the callee receives the remaining budget and the request id of the call scope`, async (t) => {
    const leaf = await startEcho(t, 'leaf');
    const { mesh: middleMesh } = meshOver(t, transport, `leaf=127.0.0.1:${leaf.port}`, { timeoutMs: 10_000 });
    const middle = await startEcho(t, 'middle', { downstream: () => middleMesh });
    const { mesh } = meshOver(t, transport, `middle=127.0.0.1:${middle.port}`, { timeoutMs: 10_000 });
    const seen = await runInScope({ requestId: 'req-42', deadline: Date.now() + 800 }, () =>
      mesh.client<EchoRouter>('middle').relayBudget.query(),
    );
    assert.ok(seen, 'leaf answered');
    // The leaf sees the 800 ms budget of the outermost scope, not the 10 s defaults of either mesh.
    assert.ok(seen.remainingMs > 0 && seen.remainingMs <= 800, `remaining ${seen.remainingMs}`);
    assert.equal(seen.requestId, 'req-42');
  });

  test(`[${transport}] a call past its deadline fails with GATEWAY_TIMEOUT and is not retried`, async (t) => {
    const a = await startEcho(t, 'a');
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${a.port}`, { timeoutMs: 150 });
    const started = Date.now();
    await assert.rejects(mesh.client<EchoRouter>('echo').slow.query({ ms: 1000 }), expectMeshError('GATEWAY_TIMEOUT'));
    assert.ok(Date.now() - started < 900, 'gave up at the deadline');
  });

  test(`[${transport}] queries move to a live instance when one is down, and its breaker opens`, async (t) => {
    const live = await startEcho(t, 'live');
    const dead = await startEcho(t, 'dead');
    await dead.stop();
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${dead.port},127.0.0.1:${live.port}`);
    const echo = mesh.client<EchoRouter>('echo');
    for (let i = 0; i < 20; i++) assert.equal(await echo.whoami.query(), 'live');
    assert.equal(mesh.breakerStates().get(`echo@127.0.0.1:${dead.port}`), 'open');
    assert.equal(mesh.breakerStates().get(`echo@127.0.0.1:${live.port}`), 'closed');
  });

  test(`[${transport}] calls still reach a lone instance whose breaker opened; a dead one still fails fast`, async (t) => {
    const only = await startEcho(t, 'only');
    // Room for the mutation below to start in (a callee runs none with under 100 ms left).
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${only.port}`, { timeoutMs: 200 });
    const echo = mesh.client<EchoRouter>('echo');
    // Timeouts under a burst open the breaker of the only instance there is...
    for (let i = 0; i < 3; i++) await assert.rejects(echo.slow.query({ ms: 300 }), expectMeshError('GATEWAY_TIMEOUT'));
    assert.equal(mesh.breakerStates().get(`echo@127.0.0.1:${only.port}`), 'open');
    // ...which must not turn the slow service into a down one.
    assert.equal(await echo.whoami.query(), 'only');
    assert.equal(await echo.bump.mutate(), 1);

    const dead = await startEcho(t, 'dead');
    await dead.stop();
    const { mesh: toDead } = meshOver(t, transport, `echo=127.0.0.1:${dead.port}`, { timeoutMs: 2_000 });
    for (let i = 0; i < 6; i++) {
      const started = Date.now();
      await assert.rejects(toDead.client<EchoRouter>('echo').whoami.query(), expectMeshError('SERVICE_UNAVAILABLE'));
      assert.ok(Date.now() - started < 1_000, 'refused at connect, not at the deadline');
    }
    assert.equal(toDead.breakerStates().get(`echo@127.0.0.1:${dead.port}`), 'open');
  });

  test(`[${transport}] a lone instance whose breaker is half-open takes every call, not only the probe`, async (t) => {
    const only = await startEcho(t, 'only');
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${only.port}`, { timeoutMs: 100, resetMs: 200 });
    const echo = mesh.client<EchoRouter>('echo');
    for (let i = 0; i < 3; i++) await assert.rejects(echo.slow.query({ ms: 300 }), expectMeshError('GATEWAY_TIMEOUT'));
    const id = `echo@127.0.0.1:${only.port}`;
    await halfOpen(mesh, id);
    // The first call is the probe; the others arrive while it is out.
    assert.deepEqual(await Promise.all(Array.from({ length: 5 }, () => echo.whoami.query())), ['only', 'only', 'only', 'only', 'only']);
  });

  test(`[${transport}] a result JSON cannot carry is an internal error, and the instance serves on`, async (t) => {
    const only = await startEcho(t, 'only');
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${only.port}`, { retries: 0 });
    const echo = mesh.client<EchoRouter>('echo');
    await assert.rejects(echo.unserializable.query(), expectMeshError('INTERNAL_SERVER_ERROR'));
    assert.equal(await echo.whoami.query(), 'only');
  });

  test(`[${transport}] an answer too large for a frame fails alone, typed, and leaves the instance's breaker closed`, async (t) => {
    const only = await startEcho(t, 'only');
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${only.port}`, { retries: 0, consecutiveFailures: 1 });
    const echo = mesh.client<EchoRouter>('echo');
    const neighbours = Array.from({ length: 4 }, () => echo.slow.query({ ms: 300 }));
    await assert.rejects(echo.sized.query({ bytes: MAX_FRAME_BYTES + 1 }), expectMeshError('PAYLOAD_TOO_LARGE', 'answer_too_large'));
    assert.deepEqual(await Promise.all(neighbours), ['late', 'late', 'late', 'late'], 'the calls beside it are answered');
    assert.equal(mesh.breakerStates().get(`echo@127.0.0.1:${only.port}`), 'closed');
    assert.equal((await echo.sized.query({ bytes: 1_000 })).length, 1_000);
  });

  test(`[${transport}] an input JSON cannot carry fails typed, never sent, and leaves the instance's breaker closed`, async (t) => {
    const only = await startEcho(t, 'only');
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${only.port}`, { retries: 0, consecutiveFailures: 1 });
    const echo = mesh.client<EchoRouter>('echo');
    for (let i = 0; i < 3; i++) await assert.rejects(echo.slow.query({ ms: 1n as unknown as number }), expectMeshError('INTERNAL_SERVER_ERROR'));
    assert.equal(mesh.breakerStates().get(`echo@127.0.0.1:${only.port}`), 'closed');
    assert.equal(await echo.whoami.query(), 'only');
  });

  test(`[${transport}] a mutation arriving with too little budget to answer in time is not run`, async (t) => {
    const state = { mutations: 0 };
    const only = await startEcho(t, 'only', { state });
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${only.port}`, { retries: 0, timeoutMs: 90 });
    const echo = mesh.client<EchoRouter>('echo');
    // The callee's refusal, or, on a machine too busy to answer within 90 ms, the caller's own deadline.
    await assert.rejects(echo.bump.mutate(), (err: unknown) => ['TIMEOUT', 'GATEWAY_TIMEOUT'].includes(codeOf(err) ?? ''));
    await sleep(200); // the callee has read the call by now, whoever gave up first
    assert.equal(state.mutations, 0);
  });

  test(`[${transport}] a mutation that reached the callee is never sent twice`, async (t) => {
    // The callee reads the call, then drops the connection, as a process that dies does: the mutation may have run.
    // A live neighbour would take whatever the mesh sent again.
    const state = { mutations: 0 };
    const live = await startEcho(t, 'live', { state });
    let received = 0;
    const server = createServer((req) => {
      req.resume();
      req.on('end', () => {
        received++;
        req.socket.destroy();
      });
    });
    server.on('upgrade', (_req, socket: Socket) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${STREAM_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`);
      socket.once('data', () => {
        received++;
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${port},127.0.0.1:${live.port}`, { retries: 3 });
    const echo = mesh.client<EchoRouter>('echo');
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => echo.bump.mutate()));
    assert.ok(received >= 1, 'some reached the dropping instance');
    assert.equal(received + state.mutations, 4, 'each mutation ran or was received once, never both');
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) expectMeshError('SERVICE_UNAVAILABLE')(outcome.reason);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, state.mutations);
    // A query may be retried on the same failure, and its neighbour answers.
    received = 0;
    assert.deepEqual(await Promise.all(Array.from({ length: 4 }, () => echo.whoami.query())), ['live', 'live', 'live', 'live']);
  });

  test(`[${transport}] a mutation refused at connect goes to another instance exactly once`, async (t) => {
    const state = { mutations: 0 };
    const live = await startEcho(t, 'live', { state });
    const dead = await startEcho(t, 'dead');
    await dead.stop();
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${dead.port},127.0.0.1:${live.port}`);
    const echo = mesh.client<EchoRouter>('echo');
    await echo.bump.mutate();
    await echo.bump.mutate();
    assert.equal(state.mutations, 2);
  });

  test(`[${transport}] a call in flight to an instance that leaves discovery still gets its answer`, async (t) => {
    const state = { mutations: 0 };
    const leaving = await startEcho(t, 'leaving', { state });
    const staying = await startEcho(t, 'staying');
    const { mesh, registry } = meshOver(t, transport, `echo=127.0.0.1:${leaving.port},127.0.0.1:${staying.port}`);
    const echo = mesh.client<EchoRouter>('echo');
    const both = registry.instances('echo');
    let current = both;
    registry.instances = () => current;
    const inFlight = echo.slowBump.mutate({ ms: 300 }); // round robin: the first call lands on `leaving`
    await sleep(50);
    // The watch drops `leaving` (it deregistered and is draining) while the mutation runs there.
    current = both.filter((instance) => instance.port === staying.port);
    assert.equal(await echo.whoami.query(), 'staying');
    assert.equal(await inFlight, 1, 'the mutation answered, not cut off and reported as unavailable');
    assert.equal(state.mutations, 1);
  });

  test(`[${transport}] a service with no instances fails fast with SERVICE_UNAVAILABLE`, async (t) => {
    const { mesh } = meshOver(t, transport, `other=127.0.0.1:1`);
    await assert.rejects(mesh.client<EchoRouter>('echo').whoami.query(), expectMeshError('SERVICE_UNAVAILABLE'));
  });
}

test('a query\'s retries are spent only on attempts that reached an instance, not on those that could not be sent', async (t) => {
  const live = await startEcho(t, 'live');
  const dead = await startEcho(t, 'dead');
  await dead.stop();
  // Reads the call, then drops the connection: the query was delivered, and failed.
  const dropping = createServer();
  dropping.on('upgrade', (_req, socket: Socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${STREAM_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`);
    socket.once('data', () => socket.destroy());
  });
  await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => dropping.close(resolve)));
  const { port } = dropping.address() as AddressInfo;
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${dead.port},127.0.0.1:${port},127.0.0.1:${live.port}`, { retries: 1 });
  const echo = mesh.client<EchoRouter>('echo');
  // Whichever instance each starts at: the refused connect costs no retry, so the one retry after the dropped call
  // reaches the live instance.
  assert.deepEqual(await Promise.all(Array.from({ length: 3 }, () => echo.whoami.query())), ['live', 'live', 'live']);
});

test('a stopping instance finishes the calls it took and the mesh sends new ones to its neighbour', async (t) => {
  const leftState = { mutations: 0 };
  const stayState = { mutations: 0 };
  const leaving = await startEcho(t, 'leaving', { state: leftState });
  const staying = await startEcho(t, 'staying', { state: stayState });
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${leaving.port},127.0.0.1:${staying.port}`);
  const echo = mesh.client<EchoRouter>('echo');
  await Promise.all([echo.whoami.query(), echo.whoami.query()]); // open streams to both
  const slow = echo.slow.query({ ms: 300 }); // round robin: this one lands on `leaving`
  await new Promise((resolve) => setTimeout(resolve, 50));
  const stopping = leaving.stop();
  // Every call made during the drain is answered, by whichever instance took it.
  await Promise.all(Array.from({ length: 20 }, () => echo.whoami.query()));
  // Mutations are never re-sent once they may have run, so none may land in the gap while the stream drains.
  await Promise.all(Array.from({ length: 40 }, () => echo.bump.mutate()));
  assert.equal(await slow, 'late');
  await stopping;
  assert.equal(leftState.mutations + stayState.mutations, 40);
  assert.deepEqual(await Promise.all([echo.whoami.query(), echo.whoami.query()]), ['staying', 'staying']);
});

test('a call that first waits for discovery hands the callee what is left of its budget after the wait', async (t) => {
  const echo = await startEcho(t, 'echo');
  const logger = silentLogger();
  const listed = createStaticRegistry({ staticServices: `echo=127.0.0.1:${echo.port}`, logger });
  // Discovery that knows nothing until its first answer arrives, 300 ms after it is asked (as Consul's first watch).
  let answered = false;
  const registry: Registry = {
    ...listed,
    instances: (service) => (answered ? listed.instances(service) : []),
    ready: async (service) => {
      await sleep(300);
      answered = true;
      return listed.instances(service);
    },
  };
  const mesh = createMesh({ registry, logger, timeoutMs: 1_000, retries: 0, breaker: { errorPercent: 50, volume: 3, consecutiveFailures: 5, resetMs: 60_000 }, transport: 'stream' });
  t.after(() => mesh.close());
  const { remainingMs } = await mesh.client<EchoRouter>('echo').budget.query();
  // Not the whole 1,000 ms: the wait was taken off (a timer may fire a millisecond early, so not exactly 700).
  assert.ok(remainingMs < 800 && remainingMs > 0, `the callee got ${remainingMs} ms of a 1,000 ms budget after a 300 ms wait`);
});

test('a breaker closed by a good probe starts over: one failure after it does not open it again', async (t) => {
  const { mesh, echo, id } = await openedBreaker(t);
  assert.equal(mesh.breakerStates().get(id), 'open');
  await halfOpen(mesh, id);
  assert.equal(await echo.whoami.query(), 'only');
  assert.equal(mesh.breakerStates().get(id), 'closed');
  await assert.rejects(echo.boom.query(), expectMeshError('INTERNAL_SERVER_ERROR'));
  assert.equal(mesh.breakerStates().get(id), 'closed');
});

test('failures in a row open a breaker whose window is still full of successes; one success starts the count over', async (t) => {
  const only = await startEcho(t, 'only');
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${only.port}`, { retries: 0, consecutiveFailures: 5 });
  const echo = mesh.client<EchoRouter>('echo');
  const id = `echo@127.0.0.1:${only.port}`;
  const failures = async (n: number) => {
    for (let i = 0; i < n; i++) await assert.rejects(echo.boom.query(), expectMeshError('INTERNAL_SERVER_ERROR'));
  };
  // 30 successes keep the error rate of the window below 50 % through every failure that follows.
  for (let i = 0; i < 30; i++) await echo.whoami.query();
  await failures(4);
  assert.equal(await echo.whoami.query(), 'only');
  await failures(4);
  assert.equal(mesh.breakerStates().get(id), 'closed', 'four, one success, four: never five in a row');
  await failures(1);
  assert.equal(mesh.breakerStates().get(id), 'open', 'the fifth failure in a row, with 9 of 39 calls failed');
});

for (const transport of ['stream', 'http'] as const) {
  test(`[${transport}] a call too large for a frame fails typed, never sent, and leaves the breaker closed; one just below it is served`, async (t) => {
    const only = await startEcho(t, 'only');
    const { mesh } = meshOver(t, transport, `echo=127.0.0.1:${only.port}`, { retries: 0, consecutiveFailures: 1 });
    const echo = mesh.client<EchoRouter>('echo');
    const tooLarge = 'x'.repeat(MAX_FRAME_BYTES);
    await assert.rejects(echo.slow.query({ ms: tooLarge as unknown as number }), expectMeshError('PAYLOAD_TOO_LARGE', 'call_too_large'));
    assert.equal(mesh.breakerStates().get(`echo@127.0.0.1:${only.port}`), 'closed');
    // Refused by the callee's input check: it arrived whole, as large as a frame holds (not cut at a smaller body limit).
    const large = 'x'.repeat(MAX_FRAME_BYTES - 1024);
    await assert.rejects(echo.slow.query({ ms: large as unknown as number }), expectMeshError('BAD_REQUEST'));
    assert.equal(mesh.breakerStates().get(`echo@127.0.0.1:${only.port}`), 'closed');
  });
}

test('a half-open breaker stays half-open when a call cannot be sent at all, and closes on the next answer', async (t) => {
  const { mesh, echo, id } = await openedBreaker(t);
  await halfOpen(mesh, id);
  await assert.rejects(echo.slow.query({ ms: 1n as unknown as number }), expectMeshError('INTERNAL_SERVER_ERROR'));
  assert.equal(mesh.breakerStates().get(id), 'half-open', 'the caller\'s own error said nothing of the instance');
  assert.equal(await echo.whoami.query(), 'only');
  assert.equal(mesh.breakerStates().get(id), 'closed');
});

test('a half-open breaker whose probe ran out of a nearly spent budget opens again instead of closing', async (t) => {
  const only = await startEcho(t, 'only');
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${only.port}`, { retries: 0, resetMs: 200, consecutiveFailures: 2 });
  const echo = mesh.client<EchoRouter>('echo');
  const id = `echo@127.0.0.1:${only.port}`;
  const within = (ms: number) => runInScope({ requestId: `r-${ms}`, deadline: Date.now() + ms }, () => echo.slow.query({ ms: 1_000 }));
  for (let i = 0; i < 2; i++) await assert.rejects(within(150), expectMeshError('GATEWAY_TIMEOUT'));
  assert.equal(mesh.breakerStates().get(id), 'open');
  await halfOpen(mesh, id);
  await assert.rejects(within(20), expectMeshError('GATEWAY_TIMEOUT'));
  assert.equal(mesh.breakerStates().get(id), 'open', 'the probe showed nothing of the instance');
});

test("a call that ran out of a nearly spent budget does not count against the instance's breaker", async (t) => {
  const only = await startEcho(t, 'only');
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${only.port}`, { retries: 0 });
  const echo = mesh.client<EchoRouter>('echo');
  // Each call comes from a request with 20 ms left of its budget (the rest spent elsewhere).
  for (let i = 0; i < 5; i++) {
    await assert.rejects(runInScope({ requestId: `late-${i}`, deadline: Date.now() + 20 }, () => echo.slow.query({ ms: 100 })), expectMeshError('GATEWAY_TIMEOUT'));
  }
  assert.equal(mesh.breakerStates().get(`echo@127.0.0.1:${only.port}`), 'closed');
});

test('calls that ran out of a nearly spent budget between real timeouts do not break their run of failures', async (t) => {
  const only = await startEcho(t, 'only');
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${only.port}`, { retries: 0, consecutiveFailures: 3 });
  const echo = mesh.client<EchoRouter>('echo');
  const within = (ms: number) => runInScope({ requestId: `r-${ms}`, deadline: Date.now() + ms }, () => echo.slow.query({ ms: 1_000 }));
  // Its window full of successes, so that only the run of failures can open it.
  for (let i = 0; i < 10; i++) assert.equal(await echo.whoami.query(), 'only');
  // Then it answers nothing in time, met by calls with time enough and by calls late in their requests.
  for (let i = 0; i < 3; i++) {
    await assert.rejects(within(150), expectMeshError('GATEWAY_TIMEOUT'));
    if (i < 2) await assert.rejects(within(20), expectMeshError('GATEWAY_TIMEOUT'));
  }
  assert.equal(mesh.breakerStates().get(`echo@127.0.0.1:${only.port}`), 'open');
});
