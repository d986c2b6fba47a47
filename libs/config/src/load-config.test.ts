import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, DbEnv, MeshEnv, loadConfig } from '@douyin/config';

const Schema = z.object({ ...DbEnv.shape, ...MeshEnv.shape, PORT: z.coerce.number().int().default(9101) });

test('applies embedded defaults when nothing is set', () => {
  const config = loadConfig(Schema, {});
  assert.equal(config.PORT, 9101);
  assert.equal(config.DATABASE_URL, undefined);
  assert.equal(config.DATA_DIR, 'data');
  assert.equal(config.MESH_TIMEOUT_MS, 3000);
});

test('names every bad variable at once', () => {
  assert.throws(
    () => loadConfig(Schema, { PORT: 'eighty', DATABASE_URL: 'postgres://x', MESH_RETRIES: '9' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 3);
      for (const name of ['PORT', 'DATABASE_URL', 'MESH_RETRIES']) assert.match(err.message, new RegExp(name));
      return true;
    },
  );
});

test('treats an empty variable as unset', () => {
  assert.equal(loadConfig(Schema, { PORT: '' }).PORT, 9101);
});

test('returns a frozen value', () => {
  const config = loadConfig(z.object({ a: z.object({ b: z.string().default('x') }).default({ b: 'x' }) }), {});
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.a));
});
