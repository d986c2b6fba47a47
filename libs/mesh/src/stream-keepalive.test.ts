import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTimers } from '@douyin/testing';
import { meshOver, startEcho, type EchoRouter } from '../test/echo-service.js';

test('both ends of an idle mesh stream run TCP keepalive', { skip: process.platform !== 'linux' && 'reads /proc/net/tcp' }, async (t) => {
  const echo = await startEcho(t, 'a');
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${echo.port}`);
  assert.equal(await mesh.client<EchoRouter>('echo').whoami.query(), 'a');
  await sleep(300); // idle: the answer acknowledged, no retransmission timer left running
  const [server, client] = await Promise.all([tcpTimers({ localPort: echo.port }), tcpTimers({ remotePort: echo.port })]);
  const seen = JSON.stringify({ server, client });
  assert.ok(server.length >= 1 && client.length >= 1, seen);
  for (const timer of [...server, ...client]) assert.ok(timer.kind === 'keepalive' && timer.inSeconds <= 10, seen);
});
