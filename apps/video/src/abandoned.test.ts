import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { filesUnder, mediaFixtures } from '@douyin/testing';
import { createDiskStore, newKey } from '@douyin/storage';
import { createLogger, silentLogger } from '@douyin/telemetry';
import { ABANDONED_AFTER_MS, abandonedSweeper, removeAbandoned } from './abandoned.js';
import { recordIntent } from './repository.js';
import { callerFor, stage, videoDeps } from '../test/harness.js';
import { createRouter } from './router.js';

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

/** The deps of a publish, with the whole store the sweep lists. */
async function sweepable(t: TestContext) {
  const deps = await videoDeps(t, 'sqlite');
  return { ...deps, store: createDiskStore({ root: deps.storeRoot }) };
}

/** A staged upload and a publish folder as a process killed two days ago left them, beside live ones. */
async function leftovers(deps: Awaited<ReturnType<typeof sweepable>>) {
  const old = daysAgo(2);
  const abandonedUpload = await stage(deps.store, Buffer.from('an upload nobody published'));
  await utimes(deps.store.localPath(abandonedUpload)!, old, old);
  const liveUpload = await stage(deps.store, Buffer.from('an upload being published'));
  const abandonedDir = join(deps.workDir, 'publish-abandoned');
  await mkdir(abandonedDir);
  await writeFile(join(abandonedDir, 'upload'), 'a copy');
  await utimes(abandonedDir, old, old);
  await mkdir(join(deps.workDir, 'publish-live'));
  // Not a publish folder: the work dir may be the machine's shared temp dir.
  await mkdir(join(deps.workDir, 'someone-elses'));
  await utimes(join(deps.workDir, 'someone-elses'), old, old);
  return { abandonedUpload, liveUpload };
}

test('what a killed upload or publish left a day ago is removed; what is in use and what is not ours are not', async (t) => {
  const deps = await sweepable(t);
  const { liveUpload } = await leftovers(deps);
  const removed = await removeAbandoned(deps, new Date(Date.now() - ABANDONED_AFTER_MS));
  assert.deepEqual(removed, { staged: 1, publishDirs: 1, unfinishedPublishes: 0 });
  assert.deepEqual(await filesUnder(deps.storeRoot), [liveUpload]);
  assert.deepEqual((await readdir(deps.workDir)).sort(), ['publish-live', 'someone-elses']);
  // The live upload is still publishable.
  const { mp4 } = await mediaFixtures(t);
  const video = await callerFor(createRouter(deps)).publish({ authorId: 1, title: 'after the sweep', stagingKey: await stage(deps.store, mp4) });
  assert.equal(video.title, 'after the sweep');
});

test('the sweeper sweeps when started, and stop waits for it', async (t) => {
  const deps = await sweepable(t);
  const { abandonedUpload } = await leftovers(deps);
  const sweeper = abandonedSweeper({ ...deps, logger: silentLogger() });
  sweeper.start();
  await sweeper.stop();
  assert.equal(await deps.store.stat(abandonedUpload), undefined);
  assert.deepEqual((await readdir(deps.workDir)).sort(), ['publish-live', 'someone-elses']);
});

test('a sweep still running when the next hour comes is not joined by another; the hour after it ends sweeps again', async (t) => {
  const deps = await sweepable(t);
  let sweeps = 0;
  let release = () => {};
  const slow = () => (sweeps++, new Promise<number>((resolve) => (release = () => resolve(0))));
  t.mock.timers.enable({ apis: ['setInterval'] });
  const sweeper = abandonedSweeper({ ...deps, logger: silentLogger(), store: { ...deps.store, removeOlderThan: slow } });
  sweeper.start();
  t.mock.timers.tick(3_600_000);
  t.mock.timers.tick(3_600_000);
  assert.equal(sweeps, 1);
  release();
  // Once the first sweep's other steps are done too, an hour's tick sweeps again.
  for (let i = 0; sweeps < 2 && i < 500; i++) {
    await sleep(10);
    t.mock.timers.tick(3_600_000);
  }
  assert.equal(sweeps, 2);
  release();
  await sweeper.stop();
});

test('a sweep step that fails is logged as a warning, not thrown, and the other steps still do their work', async (t) => {
  const deps = await sweepable(t);
  await leftovers(deps);
  const lines: string[] = [];
  const logger = createLogger({ service: 'video', destination: { write: (line: string) => void lines.push(line) } });
  const sweeper = abandonedSweeper({ ...deps, logger, store: { ...deps.store, removeOlderThan: () => Promise.reject(new Error('bucket unreachable')) } });
  sweeper.start();
  await sweeper.stop();
  assert.equal(lines.filter((line) => line.includes('"level":40')).length, 1, lines.join(''));
  assert.match(lines.join(''), /"level":40.*bucket unreachable.*could not remove abandoned staged uploads/);
  assert.deepEqual((await readdir(deps.workDir)).sort(), ['publish-live', 'someone-elses'], 'the publish folders were swept all the same');
});

test('an unfinished publish whose objects cannot be deleted stays for the next sweep and does not stop the others', async (t) => {
  const deps = await sweepable(t);
  const lines: string[] = [];
  const logger = createLogger({ service: 'video', destination: { write: (line: string) => void lines.push(line) } });
  const locked = newKey('videos', 'mp4');
  const stuck = await recordIntent(deps.db, { videoKey: locked, coverKey: newKey('covers', 'jpg') }, daysAgo(3).getTime());
  const cover = await stage(deps.store, Buffer.from('a cover nobody saved'));
  await recordIntent(deps.db, { videoKey: newKey('videos', 'mp4'), coverKey: cover }, daysAgo(2).getTime());
  const store = { ...deps.store, delete: (key: string) => (key === locked ? Promise.reject(new Error('object locked')) : deps.store.delete(key)) };
  const removed = await removeAbandoned({ ...deps, store, logger }, new Date(Date.now() - ABANDONED_AFTER_MS));
  assert.equal(removed.unfinishedPublishes, 1);
  assert.equal(await deps.store.stat(cover), undefined);
  assert.deepEqual((await deps.db.selectFrom('publish_intents').select('id').execute()).map((row) => row.id), [stuck]);
  assert.match(lines.join(''), /"level":40.*object locked.*could not remove what an unfinished publish stored/);
});
