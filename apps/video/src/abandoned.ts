import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '@douyin/storage';
import type { Logger } from '@douyin/telemetry';

/** Each publish works in a folder of its own under the work dir, named with this prefix. */
export const PUBLISH_DIR_PREFIX = 'publish-';

/**
 * A staged upload is published or deleted within one publish budget (a minute by default), a publish folder lives as
 * long as its publish: a day-old one was left by a process killed midway, and nothing will ever read it.
 */
export const ABANDONED_AFTER_MS = 24 * 3_600_000;
const SWEEP_EVERY_MS = 3_600_000;

export interface SweepDeps {
  store: Pick<ObjectStore, 'removeOlderThan'>;
  workDir: string;
  logger: Logger;
}

/** Removes staged uploads, partial writes and publish folders last touched before `before`; returns the counts. */
export async function removeAbandoned(deps: SweepDeps, before: Date): Promise<{ staged: number; publishDirs: number }> {
  const staged = await deps.store.removeOlderThan('staging', before);
  let publishDirs = 0;
  const names = await readdir(deps.workDir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  for (const name of names.filter((n) => n.startsWith(PUBLISH_DIR_PREFIX))) {
    const dir = join(deps.workDir, name);
    const touched = await stat(dir).then((s) => s.mtimeMs, () => Infinity);
    if (touched >= before.getTime()) continue;
    await rm(dir, { recursive: true, force: true });
    publishDirs += 1;
  }
  return { staged, publishDirs };
}

/**
 * Sweeps once when started and then every hour, so a crash's leftovers cannot fill the disk or the bucket. Every
 * instance sweeps: removing what another instance just removed is harmless. `stop` waits for a sweep in progress.
 */
export function abandonedSweeper(deps: SweepDeps): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = removeAbandoned(deps, new Date(Date.now() - ABANDONED_AFTER_MS)).then(
      (removed) => {
        if (removed.staged + removed.publishDirs > 0) deps.logger.info(removed, 'removed what interrupted uploads and publishes left');
      },
      (err: unknown) => deps.logger.warn({ err }, 'could not remove what interrupted uploads and publishes left; retrying in an hour'),
    );
  };
  return {
    start() {
      sweep();
      timer ??= setInterval(sweep, SWEEP_EVERY_MS).unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
