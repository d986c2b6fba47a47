import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceInstance } from '@douyin/registry';
import { hostPort } from './host-port.js';
import { HttpTransport } from './http-transport.js';
import { StreamConnection } from './stream-connection.js';
import { startEcho } from '../test/echo-service.js';

test('an address is written as a URL or a Host header takes it, an IPv6 one in brackets', () => {
  assert.equal(hostPort('10.0.0.7', 9101), '10.0.0.7:9101');
  assert.equal(hostPort('echo.default.svc', 9101), 'echo.default.svc:9101');
  assert.equal(hostPort('fd00::7', 9101), '[fd00::7]:9101');
});

test('an instance at an IPv6 address is reached over either transport', async (t) => {
  const echo = await startEcho(t, 'echo', { host: '::1' });
  const instance: ServiceInstance = { id: `echo@[::1]:${echo.port}`, service: 'echo', address: '::1', port: echo.port, tags: [], meta: {} };
  const request = { path: 'whoami', type: 'query' as const, input: undefined, budgetMs: 2_000, requestId: 'r' };
  const stream = new StreamConnection(instance);
  t.after(() => stream.destroy());
  assert.equal(await stream.call(request, {}), 'echo');
  const http = new HttpTransport();
  t.after(() => http.close());
  assert.equal(await http.send(instance, request), 'echo');
});
