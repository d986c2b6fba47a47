import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'mysql2/promise';
import { startPrivateMariadb } from '@douyin/testing';
import { flushSeedWrites, statusOf, warmBufferPool } from './bench-mariadb.js';

const status = async (url: string, name: string): Promise<number> => {
  const connection = await createConnection({ uri: url });
  try {
    return await statusOf(connection, name);
  } finally {
    await connection.end();
  }
};

test('a seed is flushed to disk, and after a restart every index is read back into the buffer pool', { timeout: 120_000 }, async (t) => {
  const server = await startPrivateMariadb(t, { bufferPoolMb: 64, gracefulStop: true });
  const connection = await createConnection({ uri: server.url, multipleStatements: true });
  await connection.query(`
    CREATE TABLE likes (id BIGINT PRIMARY KEY AUTO_INCREMENT, user_id BIGINT NOT NULL, note VARCHAR(200) NOT NULL, KEY by_user (user_id));
    SET GLOBAL innodb_max_dirty_pages_pct = 75; SET GLOBAL innodb_io_capacity_max = 3000; SET GLOBAL innodb_io_capacity = 300;`);
  // About 16 MB of rows and index, so a cold pool holds visibly less than a warm one.
  const rows = Array.from({ length: 2_000 }, (_, i) => `(${i % 97}, REPEAT('x', 180))`).join(',');
  for (let i = 0; i < 40; i++) await connection.query(`INSERT INTO likes (user_id, note) VALUES ${rows}`);
  await connection.end();
  const dirty = await status(server.url, 'Innodb_buffer_pool_pages_dirty');
  assert.ok(dirty > 100, `the seed left ${dirty} dirty pages`);

  assert.equal(await flushSeedWrites(server.url, 60_000), true);
  const after = await createConnection({ uri: server.url });
  const [[setting]] = (await after.query(
    `SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS pct, @@GLOBAL.innodb_io_capacity AS io, @@GLOBAL.innodb_io_capacity_max AS ioMax`,
  )) as unknown as [[{ pct: string; io: string; ioMax: string }]];
  await after.end();
  const left = await status(server.url, 'Innodb_buffer_pool_pages_dirty');
  assert.ok(left <= 100, `${left} pages still dirty`);
  assert.deepEqual([setting.pct, setting.io, setting.ioMax].map(Number), [75, 300, 3000], 'the server keeps its own flushing settings afterwards');

  // A clean shutdown that saves no page list restarts with a cold pool (a crash would not: its recovery reads back
  // every page the redo log names); reading every index warms it.
  const last = await createConnection({ uri: server.url });
  await last.query('SET GLOBAL innodb_buffer_pool_dump_at_shutdown = OFF');
  await last.end();
  await server.stop();
  await server.restart();
  const cold = await status(server.url, 'Innodb_buffer_pool_bytes_data');
  const warm = await warmBufferPool(server.url);
  assert.ok(warm.dataMb >= 10, `the table is ${warm.dataMb} MB`);
  assert.ok(warm.poolDataMb * 1024 * 1024 - cold >= 10 * 1024 * 1024, `the pool grew from ${cold} bytes to ${warm.poolDataMb} MB`);
});
