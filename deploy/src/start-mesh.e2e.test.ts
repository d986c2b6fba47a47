import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { EMBEDDED_PORTS } from '@douyin/config';
import { ROOT } from './workspace.js';

const ports = Object.values(EMBEDDED_PORTS);

/** The pid answering /readyz on `port`, or undefined when nothing does. */
const pidOn = (port: number) =>
  fetch(`http://127.0.0.1:${port}/readyz`).then(
    async (r) => ((await r.json()) as { pid?: number }).pid,
    () => undefined,
  );

test('npm start: a mesh whose launcher is killed stops by itself and frees its ports', { timeout: 180_000 }, async (t) => {
  assert.deepEqual(await Promise.all(ports.map(pidOn)), ports.map(() => undefined), 'the embedded ports are free');
  const dataDir = await mkdtemp(join(tmpdir(), 'douyin-start-'));
  // Embedded: nothing but the data directory, whatever the environment the tests run with.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|REDIS_URL|CONSUL_|S3_|OTEL_|STATIC_SERVICES)/.test(name)));
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'tools/start-mesh.ts'], {
    cwd: ROOT,
    env: { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(async () => {
    // Whatever still answers on the mesh's ports once the test is over is what the launcher left behind.
    for (const pid of await Promise.all(ports.map(pidOn))) if (pid !== undefined) process.kill(pid, 'SIGKILL');
    launcher.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });
  let output = '';
  launcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let i = 0; !output.includes('mesh ready'); i++) {
    assert.ok(i < 1_200 && launcher.exitCode === null, `the mesh never became ready:\n${output}`);
    await sleep(100);
  }
  const feed = (await (await fetch(`http://127.0.0.1:${EMBEDDED_PORTS.gateway}/douyin/feed/`)).json()) as { status_code: number };
  assert.equal(feed.status_code, 0);

  launcher.kill('SIGKILL');
  for (let i = 0; ; i++) {
    const left = (await Promise.all(ports.map(pidOn))).filter((pid) => pid !== undefined);
    if (left.length === 0) break;
    assert.ok(i < 300, `${left.length} processes of the mesh still answer 30 s after their launcher died`);
    await sleep(100);
  }
});
