import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Consul from 'consul';
import { silentLogger } from '@douyin/telemetry';
import { until } from '@douyin/testing';
import { toInstances } from './health-entries.js';
import { watchService } from './service-watch.js';

/** A `/v1/health/service` entry: the node's check passing, the service's as given. */
const entry = (id: string, status: 'passing' | 'critical', output = status === 'passing' ? 'HTTP GET: 200 OK' : '', checkId = `service:${id}`) => ({
  Node: { Address: '127.0.0.1' },
  Service: { ID: id, Service: 'user', Port: 9101 },
  Checks: [
    { CheckID: 'serfHealth', Status: 'passing', Output: 'Agent alive and reachable' },
    { CheckID: checkId, Status: status, Output: output },
  ],
});

test('an entry counts as checked once its checks ran, or when an operator put it in maintenance', () => {
  const entries = [
    entry('ok', 'passing'),
    entry('failing', 'critical', 'HTTP GET: connection refused'),
    entry('registering', 'critical'),
    { ...entry('maintained', 'critical'), Checks: [...entry('maintained', 'critical').Checks, { CheckID: '_service_maintenance:maintained', Status: 'critical', Notes: 'upgrade', Output: '' }] },
  ];
  assert.deepEqual(toInstances(entries, { only: 'passing' }).map((i) => i.id), ['ok']);
  assert.deepEqual(toInstances(entries, { only: 'checked' }).map((i) => i.id), ['ok', 'failing', 'maintained']);
  assert.deepEqual(toInstances(entries).map((i) => i.id), ['ok', 'failing', 'registering', 'maintained']);
});

/** A Consul client whose watches the test drives: each `watch` call is a new one, as after an error. */
function drivenConsul() {
  const watches: Array<EventEmitter & { end(): void }> = [];
  const consul = {
    health: { service: () => undefined },
    watch: () => {
      const watch = Object.assign(new EventEmitter(), { end: () => undefined });
      watches.push(watch);
      return watch;
    },
  } as unknown as Consul;
  const latest = () => watches[watches.length - 1]!;
  return { consul, watches, latest };
}

test('instances kept through returns of Consul leave each at the end of its own grace, not all at the first', async (t) => {
  const { consul, watches, latest } = drivenConsul();
  const watch = watchService(consul, 'user', silentLogger(), { restartGraceMs: 1_000 });
  t.after(() => watch.stop());
  const ids = () => watch.current().map((i) => i.id).join();
  const failAndReturn = async (entries: unknown[]) => {
    const count = watches.length;
    latest().emit('error', new Error('consul down'));
    await until('the watch to start again', () => watches.length > count, 2_000);
    latest().emit('change', entries);
    return Date.now();
  };
  latest().emit('change', [entry('a', 'passing'), entry('b', 'passing'), entry('c', 'passing')]);
  assert.equal(ids(), 'a,b,c');
  // Back without its state: a missing from here on; b and c register again.
  const firstReturn = await failAndReturn([]);
  latest().emit('change', [entry('b', 'passing'), entry('c', 'passing')]);
  assert.equal(ids(), 'a,b,c');
  // Back without its state once more, half a grace later: b and c missing from here on, a still from the first.
  await sleep(300);
  const secondReturn = await failAndReturn([]);
  assert.equal(ids(), 'a,b,c');
  await until('a to leave', () => ids() === 'b,c', firstReturn + 1_500 - Date.now());
  assert.ok(Date.now() < secondReturn + 1_000, 'b and c kept to the end of their own grace');
  await until('b and c to leave', () => ids() === '', 2_000);
});
