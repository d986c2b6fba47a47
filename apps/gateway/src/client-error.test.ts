import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { closedOutcome, type Outcome } from '@douyin/metrics';
import { gatewayFor } from '../test/harness.js';
import { until } from '../test/processes.js';
import { testMedia } from '../test/video-fakes.js';

/** Sends raw bytes to the listening gateway and returns everything it answers before closing. */
async function exchange(port: number, bytes: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => {});
  socket.end(bytes);
  await once(socket, 'close');
  return received;
}

const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { status_code: number; status_msg: string };

test('a query string past the HTTP parser limit gets 40003 in an HTTP 200, with a request id', async (t) => {
  const app = await gatewayFor(t);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const text = encodeURIComponent('抖'.repeat(8000));
  const raw = await exchange(port, `POST /douyin/comment/action/?action_type=1&video_id=1&comment_text=${text} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(raw, /\r\nX-Request-Id: [0-9a-f-]{36}\r\n/);
  assert.match(raw, /\r\nContent-Type: application\/json; charset=utf-8\r\n/);
  assert.equal(bodyOf(raw).status_code, 40003);

  // The limit is Node's, far past what the contract allows: a long legal query still reaches its route.
  const legal = encodeURIComponent('😀'.repeat(1000));
  const res = await fetch(`http://127.0.0.1:${port}/douyin/user/register/?username=long1&password=secret1&pad=${legal}`, { method: 'POST' });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { status_code: number }).status_code, 0);
});

test('bytes that are not HTTP get 40002 and the connection closes', async (t) => {
  const app = await gatewayFor(t);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const raw = await exchange(port, 'NOT HTTP AT ALL\r\n\r\n');
  assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.deepEqual(bodyOf(raw), { status_code: 40002, status_msg: 'malformed HTTP request' });
});

test("a request not received within Node's time gets 40002 in an HTTP 200, as every APK answer", async (t) => {
  const app = await gatewayFor(t);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const accepted = once(app.server, 'connection');
  const phone = connect(port, '127.0.0.1');
  let received = '';
  phone.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  phone.on('error', () => {});
  phone.write('POST /douyin/user/register/ HTTP/1.1\r\nHost: x\r\n'); // its headers never end
  const [socket] = await accepted;
  // What Node reports once requestTimeout has passed (it looks every 30 s, too seldom for a test).
  app.server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
  await once(phone, 'close');
  assert.match(received, /^HTTP\/1\.1 200 OK\r\n/);
  assert.deepEqual(bodyOf(received), { status_code: 40002, status_msg: 'request not received in time' });
});

test('a request whose headers arrived and whose body Node gave up on is counted by the 40002 it got, not as a client that left', async (t) => {
  const app = await gatewayFor(t);
  const closed: Outcome[] = [];
  const routed = new Promise<Socket>((resolve) =>
    app.addHook('onRequest', (req, reply, done) => {
      reply.raw.on('close', () => reply.raw.writableFinished || closed.push(closedOutcome(req, req.raw.socket, reply)));
      resolve(req.raw.socket);
      done();
    }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const phone = connect((app.server.address() as { port: number }).port, '127.0.0.1');
  phone.on('error', () => {}).resume();
  phone.write('POST /douyin/user/register/ HTTP/1.1\r\nHost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\nusername=');
  const socket = await routed;
  app.server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
  await once(phone, 'close');
  await until('the request counted', () => closed.length === 1);
  assert.deepEqual(closed, [{ code: '40002', outcome: 'client_error' }]);
});

test('a request must arrive within Node\'s five minutes, or twice as long as the largest upload needs at the upload floor (256 KiB/s without one)', async (t) => {
  const app = await gatewayFor(t);
  await app.ready();
  assert.equal(app.server.requestTimeout, 300_000);
  const large = await gatewayFor(t, undefined, undefined, undefined, {}, { media: await testMedia(t, 200 * 1024 * 1024) });
  await large.ready();
  assert.equal(large.server.requestTimeout, 819_200);
  // 100 MiB at 16 KiB/s takes 6,400 s: an upload the floor lets through is never cut by Node first.
  const floor = { uploadFloor: { bytesPerSecond: 16 * 1024, graceMs: 10_000 } };
  const floored = await gatewayFor(t, undefined, undefined, undefined, {}, { media: await testMedia(t, 100 * 1024 * 1024) }, {}, floor);
  await floored.ready();
  assert.equal(floored.server.requestTimeout, 12_810_000);
});
