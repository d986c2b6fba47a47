import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { metricsFor } from '@douyin/metrics';
import { databaseModes } from '@douyin/testing';
import { freshDb } from '../test/harness.js';

for (const mode of databaseModes()) {
  test(`${mode}: statements are timed by kind and outcome, and the pool is reported at scrape time`, async (t) => {
    const service = `dbmetrics_${mode}`;
    const db = await freshDb<{ item: { id: number } }>(t, mode, service);
    await sql`CREATE TABLE item (id INTEGER PRIMARY KEY)`.execute(db);
    await db.insertInto('item').values({ id: 1 }).execute();
    await db.selectFrom('item').selectAll().execute();
    await db.selectFrom('item').selectAll().execute();
    await assert.rejects(db.insertInto('item').values({ id: 1 }).execute());

    const text = await metricsFor(service).exposition();
    const count = (labels: string) => Number(new RegExp(`douyin_${service}_db_query_duration_seconds_count\\{${labels}\\} (\\d+)`).exec(text)?.[1]);
    assert.equal(count('operation="select",outcome="ok"'), 2);
    assert.equal(count('operation="insert",outcome="ok"'), 1);
    assert.equal(count('operation="insert",outcome="error"'), 1);
    const pool = (state: string) => Number(new RegExp(`douyin_${service}_db_pool_connections\\{state="${state}"\\} (\\d+)`).exec(text)?.[1]);
    assert.ok(pool('max') >= 1 && pool('open') >= 1, text);
    assert.equal(pool('in_use'), 0, 'nothing is checked out between statements');
  });
}
