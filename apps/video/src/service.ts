import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { Reason, domainError, requireUsers, type PublishInput, type UserLookup, type Video } from '@douyin/contracts';
import { invalidatingWrite } from '@douyin/cache';
import { isConnectionLost, isDeadlock, isUniqueViolation } from '@douyin/db';
import { newKey, storageUnavailable, type ObjectStore } from '@douyin/storage';
import type { Logger } from '@douyin/telemetry';
import { PUBLISH_DIR_PREFIX } from './abandoned.js';
import { extractCover, probeVideo, type MediaTools } from './media.js';
import * as repo from './repository.js';
import type { VideoTables } from './tables.js';
import { newestVideosEntry } from './newest-videos.js';
import type { VideoCache } from './video-cache.js';
import { workCountEntry } from './work-counts.js';

export interface PublishDeps {
  db: Kysely<VideoTables>;
  store: Pick<ObjectStore, 'put' | 'get' | 'delete' | 'move' | 'localPath'>;
  media: MediaTools;
  /**
   * Scratch space: the cover is made here, and an upload in a remote store is copied here first, because
   * ffprobe/ffmpeg need a seekable local file (MP4 indexes may sit at the end).
   */
  workDir: string;
  logger: Logger;
  now: () => number;
  /** Authors' video counts and the newest videos, both forgotten after each publish. */
  cache: VideoCache;
  /** The user service's contract: whether an author exists. */
  user: UserLookup;
}

const INSERT_ATTEMPTS = 10;

/**
 * The row is inserted only with this much of the caller's budget left, for the insert and the answer to reach it: a
 * publish committed after the gateway gave up would show a video its author was told had failed, and posts again.
 */
const COMMIT_MARGIN_MS = 1_000;

/**
 * Saves the row (repo.saveVideo: one transaction with the intent's deletion, so a publish that fails never leaves a
 * row behind the files it deletes), again when another publish took the same millisecond or a deadlock chose it.
 */
async function insertWithFreshTime(deps: PublishDeps, video: repo.NewVideo, intentId: number): Promise<repo.VideoRow> {
  for (let attempt = 1; ; attempt++) {
    let committing = false;
    try {
      const row = await repo.saveVideo(deps.db, video, intentId, deps.now(), () => (committing = true));
      // Gone only if the sweep took it (a publish that outlived a day, or clocks a day apart): so are its files.
      if (!row) throw new Error(`publish intent ${intentId} was swept before its row was saved`);
      return row;
    } catch (err) {
      if (committing && isConnectionLost(err)) return committedAnyway(deps, video, err);
      // Another publish took the same millisecond (an instance of the previous release, during a rolling update), or
      // MariaDB picked this one of two concurrent INSERT ... SELECT MAX() statements as a deadlock victim: the next
      // attempt reads the new maximum.
      if (attempt < INSERT_ATTEMPTS && (isUniqueViolation(err) || isDeadlock(err))) {
        await sleep(Math.random() * 5 * attempt); // spread the contenders so the next round has fewer
        continue;
      }
      throw err;
    }
  }
}

/** A save's answer was lost, and whether it took effect could not be read: the publish's files must stay. */
class CommitOutcomeUnknown extends Error {
  constructor(cause: unknown) {
    super("the publish's save lost its answer, and whether it took effect is unknown", { cause });
  }
}

/**
 * The row of a save that took effect all the same, its answer lost with the connection: deleting the files of a row
 * that exists would put a video that cannot play in the feed. The server may still be committing when the connection
 * is lost, so a row not there yet may be there in a moment, and the outcome is unknown.
 */
async function committedAnyway(deps: PublishDeps, video: repo.NewVideo, err: unknown): Promise<repo.VideoRow> {
  const found = await repo.findVideoByKey(deps.db, video.authorId, video.videoKey).catch(() => {
    throw new CommitOutcomeUnknown(err);
  });
  if (found) return found;
  throw new CommitOutcomeUnknown(err);
}

const stagedUploadMissing = (key: string) => domainError('NOT_FOUND', Reason.stagedUploadMissing, `staged upload ${key} not found`);

/** A local file of the staged upload: the store's own file when it is a local folder, else a copy in `dir`. */
async function localCopyOf(store: PublishDeps['store'], stagingKey: string, dir: string): Promise<string> {
  const inPlace = store.localPath(stagingKey);
  if (inPlace) {
    if (!existsSync(inPlace)) throw stagedUploadMissing(stagingKey);
    return inPlace;
  }
  const upload = await store.get(stagingKey);
  if (!upload) throw stagedUploadMissing(stagingKey);
  const copy = join(dir, 'upload');
  await pipeline(upload, createWriteStream(copy));
  return copy;
}

/**
 * The publish rules: probe the staged upload, take its first frame as the cover, move the upload and store the
 * cover under new keys, insert the row unless the caller's `deadline` is too near. Any failure deletes what was
 * stored, unless the row may exist (a save whose lost answer could not be read); the staged upload is gone in
 * every case. The upload's bytes are never rewritten: the store renames it (or copies it server-side). The keys are
 * recorded as an intent before anything is stored under them, so what a publish killed midway or left in doubt
 * stored is found by the sweep (abandoned.ts) once no row took it.
 */
export async function publish(deps: PublishDeps, { authorId, title, stagingKey }: PublishInput, deadline: number): Promise<Video> {
  const { store } = deps;
  const stored: string[] = [];
  let intentId: number | undefined;
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(deps.workDir, PUBLISH_DIR_PREFIX));
    // The gateway vouches for its token's user; a call from elsewhere in the mesh for an id nobody has would store a
    // video no feed can name an author for, and count it.
    await requireUsers(deps.user, [authorId]);
    const input = await localCopyOf(store, stagingKey, dir);
    const cover = join(dir, 'cover.jpg');
    // Probe and cover run side by side (two processes reading one file): a publish waits for the slower of them, not
    // for both. The probe's verdict comes first, so a still image or a non-video is refused for what it is.
    const [probed, covered] = await Promise.allSettled([probeVideo(deps.media, input), extractCover(deps.media, input, cover)]);
    if (probed.status === 'rejected') throw probed.reason;
    if (covered.status === 'rejected') throw covered.reason;
    const { extension } = probed.value;

    const videoKey = newKey('videos', extension);
    const coverKey = newKey('covers', 'jpg');
    // `intent` for the row's transaction, `intentId` for the failure path, which may come before it is known.
    const intent = await repo.recordIntent(deps.db, { videoKey, coverKey }, deps.now());
    intentId = intent;
    stored.push(videoKey, coverKey);
    await store.move(stagingKey, videoKey);
    await store.put(coverKey, createReadStream(cover));
    if (deadline - Date.now() < COMMIT_MARGIN_MS) {
      throw new TRPCError({ code: 'TIMEOUT', message: 'too little of the publish budget was left to save the video' });
    }
    const entries = [workCountEntry(authorId), newestVideosEntry];
    const row = await invalidatingWrite(deps.cache, entries, () => insertWithFreshTime(deps, { authorId, title, videoKey, coverKey }, intent));
    return repo.toVideo(row);
  } catch (err) {
    if (err instanceof CommitOutcomeUnknown) {
      deps.logger.error({ err, keys: stored }, 'a publish that may have committed keeps its files; the sweep removes them in a day if it did not');
    } else if ((await Promise.all(stored.map((key) => forget(deps, key)))).every(Boolean) && intentId !== undefined && !storageUnavailable.isDown(err)) {
      // Refused (the database is what failed, or the deadline passed), it is the sweep's in a day. So is an intent whose
      // store failed: a copy or write given up on may still be carried out after the deletes above.
      await repo.dropIntent(deps.db, intentId).catch((dropErr: unknown) => deps.logger.debug({ err: dropErr }, 'a failed publish left its intent to the sweep'));
    }
    throw scratchUnwritable(err, join(deps.workDir, PUBLISH_DIR_PREFIX)) ?? err;
  } finally {
    await forget(deps, stagingKey);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

const SCRATCH_FAULTS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EMFILE', 'ENFILE']);

/**
 * The work dir could not be written (full, read-only, gone): this machine's trouble, as a missing ffmpeg is, and
 * answered as such (media_unavailable, retry later) whether it met the publish's folder (every path under
 * `folderPrefix`, the folder's name as mkdtemp is given it), the upload's copy or the cover.
 */
function scratchUnwritable(err: unknown, folderPrefix: string): TRPCError | undefined {
  const { code, path } = (err ?? {}) as { code?: unknown; path?: unknown };
  if (typeof code !== 'string' || !SCRATCH_FAULTS.has(code) || typeof path !== 'string' || !path.startsWith(folderPrefix)) return undefined;
  return domainError('SERVICE_UNAVAILABLE', Reason.mediaUnavailable, `the work dir could not be written: ${code}`, err);
}

/** True when the object is gone. */
async function forget(deps: PublishDeps, key: string): Promise<boolean> {
  return deps.store.delete(key).then(
    () => true,
    (err: unknown) => (deps.logger.error({ err, key }, 'could not delete an object of a failed or finished publish'), false),
  );
}
