import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
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

/** The processes started with `dataDir` as their DATA_DIR: a launched mesh's, whatever they got to. */
async function processesOf(dataDir: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const environs = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '')));
  return pids.filter((_, i) => environs[i]!.split('\0').includes(`DATA_DIR=${dataDir}`)).map(Number);
}

/** `npm start` in embedded mode over a data directory of its own, killed with whatever it left when the test ends. */
async function launch(t: { after(fn: () => unknown): void }) {
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
    for (const pid of await processesOf(dataDir)) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });
  return { launcher, dataDir };
}

/** Waits until nothing the launcher started runs any more. */
async function allGone(dataDir: string): Promise<void> {
  for (let i = 0; ; i++) {
    const left = await processesOf(dataDir);
    if (left.length === 0) return;
    assert.ok(i < 300, `${left.length} processes of the mesh still run 30 s after their launcher died`);
    await sleep(100);
  }
}

const onLinux = { timeout: 180_000, skip: process.platform !== 'linux' && 'reads /proc' };

test('npm start: a mesh whose launcher is killed stops by itself and frees its ports', onLinux, async (t) => {
  const { launcher, dataDir } = await launch(t);
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
  await allGone(dataDir);
  assert.deepEqual(await Promise.all(ports.map(pidOn)), ports.map(() => undefined), 'the embedded ports are free again');
});

test('npm start: a launcher killed while its mesh is still starting leaves nothing running', onLinux, async (t) => {
  const { launcher, dataDir } = await launch(t);
  // Its services are spawned, none of them serving yet: each learns of the launcher's death only once it starts.
  for (let i = 0; (await processesOf(dataDir)).length < 3; i++) {
    assert.ok(i < 600, 'the launcher never started its services');
    await sleep(50);
  }
  launcher.kill('SIGKILL');
  await allGone(dataDir);
});
