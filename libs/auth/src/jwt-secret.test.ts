import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { resolveJwtSecret } from '@douyin/auth';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'douyin-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const strong = 'q8Zr2VnKx4TfWb7LmYc1HdPs9GjA3Ue6';

test('production accepts a strong JWT_SECRET', () => {
  assert.equal(resolveJwtSecret({ secret: strong, production: true, dataDir: '/nonexistent' }), strong);
});

test('production refuses a missing, short or placeholder secret', () => {
  const cases: [string | undefined, RegExp][] = [
    [undefined, /required/],
    ['', /required/],
    ['short-but-random-Zx81', /at least 32/],
    ['changeme-changeme-changeme-changeme', /placeholder/],
    ['this-is-my-super-secret-jwt-key-2025', /placeholder/],
    ['dev-only-key-q8Zr2VnKx4TfWb7LmYc1Hd', /placeholder/],
    ['a'.repeat(40), /placeholder/],
    ['replace-with-at-least-32-random-characters', /placeholder/],
  ];
  for (const [secret, message] of cases) {
    assert.throws(() => resolveJwtSecret({ secret, production: true, dataDir: '/nonexistent' }), message, String(secret));
  }
});

test('development uses JWT_SECRET when set', () => {
  assert.equal(resolveJwtSecret({ secret: 'anything', production: false, dataDir: '/nonexistent' }), 'anything');
});

test('development without a secret creates a private one once and reuses it', async (t) => {
  const dataDir = join(await tempDir(t), 'nested');
  const first = resolveJwtSecret({ production: false, dataDir });
  assert.ok(first.length >= 32);
  assert.equal((await stat(join(dataDir, 'jwt-secret'))).mode & 0o777, 0o600);
  assert.equal(resolveJwtSecret({ production: false, dataDir }), first);
  assert.notEqual(resolveJwtSecret({ production: false, dataDir: await tempDir(t) }), first);
});

test('development refuses an unusable secret file instead of overwriting it', async (t) => {
  const dataDir = await tempDir(t);
  await writeFile(join(dataDir, 'jwt-secret'), '\n');
  assert.throws(() => resolveJwtSecret({ production: false, dataDir }), /delete it/);
});
