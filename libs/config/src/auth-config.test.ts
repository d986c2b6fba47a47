import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AuthEnv, ConfigError, DbEnv, RuntimeEnv, loadConfig, toAuthConfig } from '@douyin/config';

const Env = z.object({ ...RuntimeEnv.shape, ...AuthEnv.shape, DATA_DIR: DbEnv.shape.DATA_DIR }).transform(toAuthConfig);
const strong = 'q8Zr2VnKx4TfWb7LmYc1HdPs9GjA3Ue6';
const refusal = (pattern: RegExp) => (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && pattern.test(err.problems[0]!);

test('production refuses a missing, short or placeholder JWT secret as a configuration problem', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /^JWT_SECRET \(or JWT_SECRET_FILE\): required/],
    [{ JWT_SECRET: '   ' }, /required/],
    [{ JWT_SECRET: 'short-but-random-Zx81' }, /^JWT_SECRET: must be at least 32/],
    [{ JWT_SECRET: 'replace-with-at-least-32-random-characters' }, /^JWT_SECRET: looks like a placeholder/],
  ];
  for (const [env, pattern] of cases) assert.throws(() => loadConfig(Env, { NODE_ENV: 'production', ...env }), refusal(pattern), JSON.stringify(env));
  assert.deepEqual(loadConfig(Env, { NODE_ENV: 'production', JWT_SECRET: ` ${strong}\n` }), { secret: strong, ttlSeconds: 604_800, dataDir: 'data' });
});

test('development takes any secret, or none (the gateway then keeps its own)', () => {
  assert.equal(loadConfig(Env, { JWT_SECRET: 'anything' }).secret, 'anything');
  assert.equal(loadConfig(Env, {}).secret, undefined);
});

test('a JWT secret from a file is checked as one from the environment', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'douyin-auth-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'jwt-secret');
  writeFileSync(file, 'changeme-changeme-changeme-changeme\n');
  assert.throws(() => loadConfig(Env, { NODE_ENV: 'production', JWT_SECRET_FILE: file }), refusal(/placeholder/));
  writeFileSync(file, `${strong}\n`);
  assert.equal(loadConfig(Env, { NODE_ENV: 'production', JWT_SECRET_FILE: file }).secret, strong);
});
