import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '@douyin/testing';
import { bySubject, CounterTally } from './counter-tally.js';
import { commandCountersOf, redisCommandCounters } from './redis-commands.js';

test('commandstats lines become calls and µs by command, INFO left out; keyspace lines keys read', () => {
  const info =
    '# Stats\r\nkeyspace_hits:40\r\nkeyspace_misses:2\r\nexpired_keys:0\r\n' +
    '# Commandstats\r\ncmdstat_mget:calls=12,usec=30,usec_per_call=2.50,rejected_calls=0,failed_calls=0\r\n' +
    'cmdstat_info:calls=3,usec=90,usec_per_call=30.00,rejected_calls=0,failed_calls=0\r\n' +
    'cmdstat_client|setname:calls=1,usec=1,usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n';
  const counters = { 'keys read\thits': 40, 'keys read\tmisses': 2, 'mget\tcalls': 12, 'mget\tusec': 30, 'client|setname\tcalls': 1, 'client|setname\tusec': 1 };
  assert.deepEqual(commandCountersOf(info), counters);
});

test('a Redis command tally counts the commands a run sent, per request', async (t) => {
  // A server of its own: commandstats are server-wide.
  const server = await startPrivateRedis(t);
  const client = new Redis(server.url);
  t.after(() => client.quit());
  const hooks: Array<() => unknown> = [];
  t.after(() => Promise.all(hooks.map((fn) => fn())));
  const tally = new CounterTally(redisCommandCounters({ after: (fn) => hooks.push(fn) }, server.url));
  await CounterTally.measure([tally], async () => {
    for (let i = 0; i < 5; i++) await client.set(`a:${i}`, 'x');
    for (let i = 0; i < 10; i++) await client.mget(`a:${i}`, `b:${i}`);
    return { requests: 5 };
  });
  const commands = bySubject(tally.perRequest());
  assert.equal(commands.mget?.calls, 2);
  assert.equal(commands.set?.calls, 1);
  assert.ok(commands.mget!.usec! > 0, 'time is counted too');
  assert.equal(commands.info, undefined);
  // Twenty keys read, the first five of them once set: 5 found over five requests, 15 missing.
  assert.deepEqual(commands['keys read'], { hits: 1, misses: 3 });
});
