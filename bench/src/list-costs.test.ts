import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ranStatements, scaleCostNotes, type ScaleCosts } from './list-costs.js';

const costs = (scale: number): ScaleCosts => ({
  cpu_us: { gateway: 100 * scale, redis: 10 * scale, total: 110 * scale },
  redis_commands: { mget: { calls: 2, us_per_call: 50 * scale }, ...(scale > 1 ? { evalsha: { calls: 0.5, us_per_call: 30 } } : {}) },
  redis_keys_read: { hits: 190, misses: 10 * scale },
  mariadb_statements: {
    'SELECT * FROM `videos` WHERE `id` IN (...)': { calls: 0.3, us: 400 * scale, 'rows examined': 100 },
    'SELECT `video_id` FROM `favorites` WHERE `user_id` = ?': { calls: 1, us: 200 * scale, 'rows examined': 101 },
    'buffer pool': { 'page reads': 600 * scale, 'from disk': 0 },
  },
});

test('the notes compare each resource per request at both scales, small / large', () => {
  const [cpu, redis, mariadb] = scaleCostNotes('favorite lists', { small: '10k', large: '1m' }, { small: costs(1), large: costs(3) });
  assert.equal(cpu, 'favorite lists, CPU µs per favorite list at 10k / 1m: gateway 100 / 300, redis 10 / 30, total 110 / 330');
  assert.equal(
    redis,
    'favorite lists, Redis keys read per favorite list at 10k / 1m: 200 / 220 (10 / 30 of them missing; MGET µs per key 0.5 / 1.36); ' +
      'commands (µs each): mget 2 / 2 (50 / 150), evalsha - / 0.5 (- / 30)',
  );
  assert.equal(
    mariadb,
    'favorite lists, MariaDB per favorite list at 10k / 1m: buffer pool page reads 600 / 1800, from disk 0 / 0; costliest statements at 1m ' +
      '(calls, µs, rows examined): "SELECT * FROM `videos` WHERE `id` IN (...)" 0.3 / 0.3, 400 / 1200, 100 / 100; ' +
      '"SELECT `video_id` FROM `favorites` WHERE `user_id` = ?" 1 / 1, 200 / 600, 101 / 101',
  );
});

test('without statement digests the notes say so', () => {
  const bare = (c: ScaleCosts): ScaleCosts => ({ ...c, mariadb_statements: { 'buffer pool': { 'page reads': 5, 'from disk': 1 } } });
  const mariadb = scaleCostNotes('favorite lists', { small: '10k', large: '1m' }, { small: bare(costs(1)), large: bare(costs(2)) })[2]!;
  assert.match(mariadb, /page reads 5 \/ 5, from disk 1 \/ 1; no statement digests \(performance_schema off\)$/);
});

test('statements not run over the measured runs are left out, the buffer pool kept', () => {
  const figures = {
    'SELECT `name` FROM `user_migration`': { calls: 0, us: 0, 'rows examined': 0 },
    'SELECT * FROM `videos` WHERE `id` IN (...)': { calls: 0.2, us: 90, 'rows examined': 3 },
    'buffer pool': { 'page reads': 0, 'from disk': 0 },
  };
  assert.deepEqual(Object.keys(ranStatements(figures)), ['SELECT * FROM `videos` WHERE `id` IN (...)', 'buffer pool']);
});
