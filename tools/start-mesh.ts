// Starts the whole mesh on this machine: every service as its own process on its loopback port, then the
// gateway on :8080. Embedded by default (SQLite, local disk, static registry); the environment passes through,
// so the same command runs against MariaDB or Consul when their variables are set. Ctrl-C stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_PORTS, type MeshApp } from '@douyin/config';

const root = fileURLToPath(new URL('..', import.meta.url));
const fromBuild = process.argv.includes('--dist');
const apps = readdirSync(join(root, 'apps')).filter((app): app is MeshApp => app in EMBEDDED_PORTS);
const unbuilt = apps.filter((app) => !existsSync(entry(app)));
if (unbuilt.length > 0) {
  // A mesh short of a service would start and answer that service's routes with errors for as long as it runs.
  process.stderr.write(`cannot start the mesh: no ${unbuilt.map(entry).join(', ')}${fromBuild ? ' (run `npm run build` first)' : ''}\n`);
  process.exit(1);
}
const services = apps.filter((app) => app !== 'gateway');
const children = new Map<MeshApp, ChildProcess>();
let stopping = false;

function entry(app: string): string {
  return fromBuild ? join(root, 'apps', app, 'dist', 'src', 'main.js') : join(root, 'apps', app, 'src', 'main.ts');
}

function start(app: MeshApp): void {
  // The telemetry preload must run before the app's modules load; it does nothing unless tracing is configured.
  const args = fromBuild
    ? ['--import', '@douyin/telemetry/preload', entry(app)]
    : ['--import', 'tsx', '--import', './libs/telemetry/src/preload.ts', entry(app)];
  // Each child in a process group of its own, so that Ctrl-C reaches this launcher alone and it stops the gateway
  // before the services; and with an IPC channel, whose end tells a child that its launcher is gone (killed, or
  // failed writing to a closed terminal) and that nobody else will stop it.
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: String(EMBEDDED_PORTS[app]) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  const prefix = `${app.padEnd(8)}| `;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue; // never: both are pipes
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(app);
    if (!stopping) {
      process.stderr.write(`${app} exited unexpectedly (${signal ?? code}); stopping the mesh\n`);
      void stopAll(1);
    }
  });
  children.set(app, child);
}

async function waitReady(app: MeshApp, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !stopping) {
    // Ready is this launcher's child answering, not another process that holds its port (a mesh left running).
    const pid = await fetch(`http://127.0.0.1:${EMBEDDED_PORTS[app]}/readyz`).then(
      async (r) => (r.ok ? ((await r.json()) as { pid?: unknown }).pid : undefined),
      () => undefined,
    );
    if (pid !== undefined && pid === children.get(app)?.pid) return;
    await sleep(200);
  }
  throw new Error(`${app} did not become ready`);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // The gateway first, so no request reaches a service that is already draining.
  const order = [...children.keys()].sort((a) => (a === 'gateway' ? -1 : 1));
  for (const app of order) {
    const child = children.get(app);
    if (!child) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  process.exit(exitCode);
}

function lanAddress(): string {
  const addresses = Object.values(networkInterfaces()).flat();
  return addresses.find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('SIGHUP', () => void stopAll(0));
// Output piped into a reader that went away (`npm start | head`): nothing more can be shown, so the mesh stops.
process.stdout.on('error', () => void stopAll(1));

async function startAll(): Promise<boolean> {
  services.forEach(start);
  try {
    await Promise.all(services.map((app) => waitReady(app)));
    start('gateway');
    await waitReady('gateway');
    return !stopping;
  } catch (err) {
    // Unless the mesh is stopping already (Ctrl-C, or a child that exited said why): then nobody is waited for.
    if (!stopping) process.stderr.write(`${(err as Error).message}\n`);
    void stopAll(1);
    return false;
  }
}

if (await startAll()) {
  process.stdout.write(
    `\nmesh ready: ${services.join(', ')} behind the gateway at http://${lanAddress()}:${EMBEDDED_PORTS.gateway}` +
      ` (point the APK there; Ctrl-C stops everything)\n\n`,
  );
}
