import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AuthEnv, ConfigError, DbEnv, MeshEnv, loadConfig } from '@douyin/config';
import { problemsOf } from '../test/problems.js';

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

test('NAME_FILE supplies NAME from a file where a schema reads both; every problem with it is named', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'douyin-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'secret');
  writeFileSync(file, 's3cr3t-from-a-mount\n');
  const Secrets = z.object({ ...AuthEnv.shape, PORT: z.coerce.number().default(1) }).transform((e) => ({ secret: e.JWT_SECRET }));
  assert.deepEqual(loadConfig(Secrets, { JWT_SECRET_FILE: file }), { secret: 's3cr3t-from-a-mount' });
  assert.deepEqual(loadConfig(Secrets, { JWT_SECRET: 'inline' }), { secret: 'inline' });

  writeFileSync(join(dir, 'empty'), ' \n');
  assert.deepEqual(problemsOf(Secrets, { JWT_SECRET: 'x', JWT_SECRET_FILE: file }), ['JWT_SECRET_FILE: set JWT_SECRET or JWT_SECRET_FILE, not both']);
  assert.deepEqual(problemsOf(Secrets, { JWT_SECRET_FILE: join(dir, 'empty') }), [`JWT_SECRET_FILE: ${join(dir, 'empty')} is empty`]);
  assert.equal(problemsOf(Secrets, { JWT_SECRET_FILE: join(dir, 'absent'), PORT: 'x' }).length, 2, 'reported with the other problems');
  // A schema that does not read NAME does not read its file: an app is not failed by another app's setting.
  assert.equal(loadConfig(Schema, { JWT_SECRET_FILE: join(dir, 'absent') }).PORT, 9101);
});

test('NAME_FILE supplies any variable the schema reads, not only the declared secrets', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'douyin-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'database-url');
  writeFileSync(file, 'mysql://douyin:from-a-mount@db:3306/douyin\n');
  assert.equal(loadConfig(Schema, { DATABASE_URL_FILE: file }).DATABASE_URL, 'mysql://douyin:from-a-mount@db:3306/douyin');
  // What the file holds is checked as if it had been set directly.
  writeFileSync(file, 'postgres://elsewhere');
  assert.throws(() => loadConfig(Schema, { DATABASE_URL_FILE: file }), /DATABASE_URL: expected mysql:/);
  assert.throws(() => loadConfig(Schema, { DATABASE_URL_FILE: join(dir, 'absent') }), /DATABASE_URL_FILE: cannot read/);
});
