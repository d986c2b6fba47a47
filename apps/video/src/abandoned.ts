import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ObjectStore } from '@douyin/storage';
import type { Logger } from '@douyin/telemetry';
import { dropIntent, listIntentsBefore } from './repository.js';
import type { VideoTables } from './tables.js';

/** Each publish works in a folder of its own under the work dir, named with this prefix. */
export const PUBLISH_DIR_PREFIX = 'publish-';

/**
 * A staged upload is published or deleted within one publish budget (a minute by default), a publish folder and a
 * publish intent live as long as their publish: a day-old one was left by a process killed midway, by a publish whose
 * COMMIT was lost and did not take effect (one that did deleted its intent), or by a failed publish that could not
 * delete it, and nothing will ever read it.
 */
export const ABANDONED_AFTER_MS = 24 * 3_600_000;
const SWEEP_EVERY_MS = 3_600_000;
const INTENTS_PER_ROUND = 100;

export interface SweepDeps {
  store: Pick<ObjectStore, 'removeOlderThan' | 'delete'>;
  db: Kysely<VideoTables>;
  workDir: string;
  logger: Logger;
}

/**
 * Removes staged uploads, partial writes and publish folders last touched before `before`, and the objects of
 * publish intents recorded before it; returns the counts.
 */
export async function removeAbandoned(deps: SweepDeps, before: Date): Promise<{ staged: number; publishDirs: number; unfinishedPublishes: number }> {
  // Each step on its own: one that fails (the bucket unreachable, say) must not keep the others from their work.
  const step = (what: string, run: () => Promise<number>) =>
    run().catch((err: unknown) => (deps.logger.warn({ err }, `could not remove ${what}; retrying in an hour`), 0));
  const staged = await step('abandoned staged uploads', () => deps.store.removeOlderThan('staging', before));
  const publishDirs = await step('abandoned publish folders', () => removePublishDirs(deps, before));
  const unfinishedPublishes = await step('what unfinished publishes stored', () => removeUnfinishedPublishes(deps, before));
  return { staged, publishDirs, unfinishedPublishes };
}

async function removePublishDirs({ workDir, logger }: SweepDeps, before: Date): Promise<number> {
  let removed = 0;
  const names = await readdir(workDir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  for (const name of names.filter((n) => n.startsWith(PUBLISH_DIR_PREFIX))) {
    const dir = join(workDir, name);
    const touched = await stat(dir).then((s) => s.mtimeMs, () => Infinity);
    if (touched >= before.getTime()) continue;
    // One this process may not delete (another user's, in a shared temp dir) does not stop the others.
    await rm(dir, { recursive: true, force: true }).then(
      () => (removed += 1),
      (err: unknown) => logger.warn({ err, dir }, 'could not remove an abandoned publish folder'),
    );
  }
  return removed;
}

/**
 * The objects of each intent first, then the intent: one whose objects could not be deleted stays, to be tried
 * again at the next sweep, and does not stop the others (pages go by id, so it is not met again in this sweep).
 */
async function removeUnfinishedPublishes(deps: SweepDeps, before: Date): Promise<number> {
  let removed = 0;
  for (let after = 0; ; ) {
    const intents = await listIntentsBefore(deps.db, before.getTime(), after, INTENTS_PER_ROUND);
    for (const intent of intents) {
      try {
        await deps.store.delete(intent.video_key);
        await deps.store.delete(intent.cover_key);
        await dropIntent(deps.db, intent.id);
        removed += 1;
      } catch (err) {
        deps.logger.warn({ err, keys: [intent.video_key, intent.cover_key] }, 'could not remove what an unfinished publish stored; retrying in an hour');
      }
    }
    if (intents.length < INTENTS_PER_ROUND) return removed;
    after = intents[intents.length - 1]!.id;
  }
}

/**
 * Sweeps once when started and then every hour, so a crash's leftovers cannot fill the disk or the bucket. Every
 * instance sweeps: removing what another instance just removed is harmless. `stop` waits for a sweep in progress.
 */
export function abandonedSweeper(deps: SweepDeps): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const sweep = () => {
    // A sweep can outlast the hour (a store that answers each delete only at its stall bound): another one started
    // beside it would walk the same intents, and `stop` would wait for the newer alone.
    if (running) return;
    running = removeAbandoned(deps, new Date(Date.now() - ABANDONED_AFTER_MS))
      .then(
        (removed) => {
          if (removed.staged + removed.publishDirs + removed.unfinishedPublishes > 0) deps.logger.info(removed, 'removed what interrupted uploads and publishes left');
        },
        (err: unknown) => deps.logger.warn({ err }, 'could not remove what interrupted uploads and publishes left; retrying in an hour'),
      )
      .finally(() => {
        running = undefined;
      });
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
