// `npm run migrate`: applies every service's migrations with the current environment, then exits.
// Each service migrates itself at start too; this is for deploy pipelines that migrate first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const services = readdirSync(join(root, 'apps')).filter((app) => existsSync(join(root, 'apps', app, 'migrations')));
for (const service of services) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join('apps', service, 'src', 'main.ts'), '--migrate-only'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    process.stderr.write(`migrations of ${service} failed\n`);
    process.exit(run.status ?? 1);
  }
}
