import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceInstance } from '@douyin/registry';
import { FrameDecoder, STREAM_PATH, STREAM_PROTOCOL, encodeFrame, type CallFrame } from './frames.js';
import { StreamConnection } from './stream-connection.js';
import { TransportError, type RpcRequest } from './transport.js';
import { startEcho } from '../test/echo-service.js';

/** A frame of any JSON text, as a peer that does not keep to the protocol may send. */
const rawFrame = (json: string) => {
  const body = Buffer.from(json);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length, 0);
  return Buffer.concat([prefix, body]);
};

const call = (id: number, path: string, input: unknown, type: CallFrame['type'] = 'query'): Buffer =>
  encodeFrame({ id, path, type, input, budgetMs: 30_000, requestId: `r${id}` });

/** A raw client socket upgraded to a frame stream on `port`. */
async function openStream(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.write(`GET ${STREAM_PATH} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${STREAM_PROTOCOL}\r\n\r\n`);
  let head = '';
  while (!head.includes('\r\n\r\n')) head += ((await once(socket, 'data')) as [Buffer])[0].toString('latin1');
  assert.match(head, /^HTTP\/1.1 101/);
  return socket;
}

/** A TCP server that hands each connection to `onConnection` and nothing else. */
async function rawServer(t: { after(fn: () => unknown): void }, onConnection: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

/** Answers the upgrade (after `upgradeAfterMs`), then leaves every frame to `onFrame` (which may ignore it). */
const upgradeThen = (onFrame: (socket: Socket, frame: CallFrame) => void, upgradeAfterMs = 0) => (socket: Socket) => {
  let upgraded = false;
  const decoder = new FrameDecoder<CallFrame>();
  socket.on('data', (chunk: Buffer) => {
    if (!upgraded) {
      upgraded = true;
      const answer = () => socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${STREAM_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`);
      if (upgradeAfterMs > 0) setTimeout(answer, upgradeAfterMs);
      else answer();
      return;
    }
    for (const frame of decoder.push(chunk)) onFrame(socket, frame);
  });
};

const instanceAt = (port: number): ServiceInstance => ({ id: `echo@127.0.0.1:${port}`, service: 'echo', address: '127.0.0.1', port, tags: [], meta: {} });
const request = (budgetMs: number, path = 'whoami'): RpcRequest => ({ path, type: 'query', input: undefined, budgetMs, requestId: 'r' });

test('a frame that names no call closes its stream alone; the service serves on', async (t) => {
  const echo = await startEcho(t, 'echo');
  for (const json of ['null', '5', '"x"', '[]', '{"path":"whoami"}', '{"id":-1,"path":"whoami"}', '{"id":"1","path":"whoami"}']) {
    const socket = await openStream(echo.port);
    const closed = once(socket, 'close');
    socket.write(rawFrame(json));
    await closed;
  }
  const socket = await openStream(echo.port);
  socket.write(call(1, 'whoami', undefined));
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  assert.deepEqual([...new FrameDecoder().push(chunk)], [{ id: 1, status: 200, result: 'echo' }]);
  socket.destroy();
});

test('an answer that names no call fails the calls on its stream as transport failures', async (t) => {
  const port = await rawServer(t, upgradeThen((socket) => socket.write(rawFrame('null'))));
  const connection = new StreamConnection(instanceAt(port));
  t.after(() => connection.destroy());
  await assert.rejects(connection.call(request(5_000), {}), (err: unknown) => err instanceof TransportError && !err.timedOut);
  assert.equal(connection.usable, false);
});

test('a peer that takes the connection but never answers the upgrade fails the call undelivered, before its deadline', async (t) => {
  const port = await rawServer(t, () => undefined);
  const connection = new StreamConnection(instanceAt(port));
  t.after(() => connection.destroy());
  await assert.rejects(connection.call(request(30_000), {}), (err: unknown) => {
    assert.ok(err instanceof TransportError, String(err));
    assert.deepEqual({ delivered: err.delivered, timedOut: err.timedOut }, { delivered: false, timedOut: false });
    return true;
  });
  assert.equal(connection.usable, false, 'the next call opens a new connection');
});

test('a call made while its stream opens tells the callee what is left of its budget, not the whole of it', async (t) => {
  const told: number[] = [];
  const port = await rawServer(
    t,
    upgradeThen((socket, frame) => {
      told.push(frame.budgetMs);
      socket.write(encodeFrame({ id: frame.id, status: 200, result: 'ok' }));
    }, 300),
  );
  const connection = new StreamConnection(instanceAt(port));
  t.after(() => connection.destroy());
  assert.equal(await connection.call(request(2_000), {}), 'ok');
  assert.equal(await connection.call(request(2_000), {}), 'ok');
  assert.equal(told.length, 2);
  assert.ok(told[0]! <= 1_700, `the call that waited for the open told the callee ${told[0]} ms`);
  assert.equal(told[1], 2_000);
});

test('a stopping server waits for the calls of a stream its client has left', async (t) => {
  const state = { mutations: 0 };
  const echo = await startEcho(t, 'echo', { state });
  const socket = await openStream(echo.port);
  socket.write(call(1, 'slowBump', { ms: 400 }, 'mutation'));
  await sleep(100);
  // Reset, as a client host that went away answers what the server sends it next: the server's socket closes at once.
  const closed = once(socket, 'close');
  socket.resetAndDestroy();
  await closed;
  await sleep(50);
  // The service closes its database after the server: a call still running then would fail midway.
  await echo.stop();
  assert.equal(state.mutations, 1, 'the server stopped before the call it was running had finished');
});

test('a stream that brought nothing back by a call deadline takes no more calls; one that answers others does', async (t) => {
  const silent = await rawServer(t, upgradeThen(() => undefined));
  const stuck = new StreamConnection(instanceAt(silent));
  t.after(() => stuck.destroy());
  await assert.rejects(stuck.call(request(200), {}), (err: unknown) => err instanceof TransportError && err.timedOut && err.delivered);
  assert.equal(stuck.usable, false);

  const echo = await startEcho(t, 'echo');
  const live = new StreamConnection(instanceAt(echo.port));
  t.after(() => live.destroy());
  const slow = live.call({ ...request(400, 'slow'), input: { ms: 2_000 } }, {});
  await sleep(100);
  assert.equal(await live.call(request(5_000), {}), 'echo');
  await assert.rejects(slow, (err: unknown) => err instanceof TransportError && err.timedOut);
  assert.equal(live.usable, true, 'an answer came back after the slow call went out');
});

test('a client that goes on calling without reading the answers has its next calls wait unread', async (t) => {
  const state = { mutations: 0 };
  const echo = await startEcho(t, 'echo', { state });
  const socket = await openStream(echo.port);
  t.after(() => socket.destroy());
  socket.pause();
  // 64 MB of answers: more than the kernel's buffers on both sides and the server's bound on what it holds unsent. The
  // mutation behind them runs once they have all been answered (each call is answered as it comes).
  const answers = Array.from({ length: 64 }, (_, i) => call(i + 1, 'sized', { bytes: 1_000_000 }));
  socket.write(Buffer.concat([...answers, call(99, 'bump', undefined, 'mutation')]));
  for (let i = 0; state.mutations < 1; i++) {
    assert.ok(i < 400, 'the first calls were never answered');
    await sleep(25);
  }
  socket.write(Buffer.concat(Array.from({ length: 5 }, (_, i) => call(100 + i, 'bump', undefined, 'mutation'))));
  await sleep(500);
  assert.equal(state.mutations, 1, 'the calls behind unread answers were not read');
  socket.on('data', () => undefined);
  socket.resume();
  for (let i = 0; state.mutations < 6; i++) {
    assert.ok(i < 400, `${state.mutations - 1} of 5 ran once the answers were read`);
    await sleep(25);
  }
});

test('a client that ends its side of a stream gets the answers of the calls it sent, then the server ends too', async (t) => {
  const echo = await startEcho(t, 'echo');
  const socket = await openStream(echo.port);
  t.after(() => socket.destroy());
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(socket, 'end');
  socket.end(Buffer.concat([call(1, 'slow', { ms: 200 }), call(2, 'whoami', undefined)]));
  await Promise.race([ended, sleep(5_000).then(() => assert.fail('the server never ended its side of the stream'))]);
  const answers = [...new FrameDecoder<{ id: number; result: unknown }>().push(Buffer.concat(chunks))];
  assert.deepEqual(answers.map((a) => [a.id, a.result]).sort(), [[1, 'late'], [2, 'echo']]);
});
