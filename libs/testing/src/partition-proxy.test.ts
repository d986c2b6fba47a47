import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPartitionProxy, until } from '@douyin/testing';

/** A server that records what each connection sent it and whether it closed; the test decides what to send back. */
async function recordingServer(t: TestContext) {
  const received: string[] = [];
  const ended: boolean[] = [];
  const peers: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const index = peers.push(socket) - 1;
    received[index] = '';
    ended[index] = false;
    socket.on('data', (chunk) => (received[index] += chunk.toString()));
    socket.on('end', () => (ended[index] = true));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => (peers.forEach((peer) => peer.destroy()), server.close(resolve))));
  return { url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, received, ended, peers };
}

async function dial(t: TestContext, url: string): Promise<{ socket: Socket; read: () => string }> {
  const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port), allowHalfOpen: true });
  let read = '';
  socket.on('data', (chunk) => (read += chunk.toString()));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  t.after(() => socket.destroy());
  return { socket, read: () => read };
}

test('a cut holds bytes both ways and a graceful close, and the heal delivers them in order', async (t) => {
  const server = await recordingServer(t);
  const proxy = await startPartitionProxy(t, server.url, 1);
  const client = await dial(t, proxy.url);
  client.socket.write('before;');
  await until('the bytes before the cut', () => server.received[0] === 'before;');

  proxy.cut();
  client.socket.write('during;');
  client.socket.end();
  server.peers[0]!.write('answer;');
  await sleep(100);
  assert.deepEqual([server.received[0], server.ended[0], client.read()], ['before;', false, '']);

  proxy.heal();
  await until('the held bytes and close', () => server.ended[0] === true && client.read() === 'answer;');
  assert.equal(server.received[0], 'before;during;');
});

test('what a client sent during a cut is never delivered once it reset its connection', async (t) => {
  const server = await recordingServer(t);
  const proxy = await startPartitionProxy(t, server.url, 1);
  const client = await dial(t, proxy.url);
  await until('the connection', () => server.peers.length === 1);

  proxy.cut();
  client.socket.write('late write;');
  await sleep(50);
  client.socket.resetAndDestroy();
  await until('the reset', () => proxy.resets() === 1);
  proxy.heal();
  await sleep(100);
  assert.equal(server.received[0], '');
  assert.ok(server.peers[0]!.destroyed || server.ended[0], 'the server side is closed too');
});
