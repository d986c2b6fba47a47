import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './processes.js';

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * Compiles what the bench runs: the workspace with `tsc -b` (what the image runs) and the bench's own servers. The
 * measured processes run that JavaScript, not tsx's on-the-fly transpile: tsx keeps function names by wrapping each
 * named function in a helper call, which cost the mesh hop about a quarter of its throughput here.
 */
export async function buildForBench(): Promise<void> {
  const tsc = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  await run(tsc, ['-b', 'tsconfig.json']);
  await run(tsc, ['-p', 'bench/tsconfig.build.json']);
}

