import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaFixtures, rejectsWith } from '@douyin/testing';
import { MEDIA_TOOLS } from '../test/harness.js';
import { extractCover, probeVideo } from './media.js';

test('the probe takes a container holding its video, and not a list naming one elsewhere on this disk', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'douyin-probe-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { mp4 } = await mediaFixtures(t);
  const video = join(dir, 'video');
  await writeFile(video, mp4);
  assert.deepEqual(await probeVideo(MEDIA_TOOLS, video), { extension: 'mp4' });
  // What would be stored and played is the list, a few bytes of text naming a file of this machine.
  const lists = {
    hls: `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n${video}\n#EXT-X-ENDLIST\n`,
    concat: `ffconcat version 1.0\nfile 'video'\n`,
  };
  for (const [name, list] of Object.entries(lists)) {
    const upload = join(dir, name);
    await writeFile(upload, list);
    await assert.rejects(probeVideo(MEDIA_TOOLS, upload), rejectsWith('BAD_REQUEST', 'not_a_video'), name);
  }
});

test('a video whose tags run to megabytes is probed like any other', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'douyin-probe-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const tags = join(dir, 'tags.txt');
  await writeFile(tags, `;FFMETADATA1\ncomment=${'x'.repeat(5 * 1024 * 1024)}\n`);
  const video = join(dir, 'video');
  const testCard = ['-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x64:rate=5'];
  await promisify(execFile)(MEDIA_TOOLS.ffmpegPath, ['-v', 'error', ...testCard, '-i', tags, '-map_metadata', '1', '-c:v', 'mpeg4', '-f', 'matroska', '-y', video]);
  assert.deepEqual(await probeVideo(MEDIA_TOOLS, video), { extension: 'mkv' });
});

test('a cover that cannot be written (a full work dir) is media_unavailable, not the upload being no video', async (t) => {
  const { mp4 } = await mediaFixtures(t);
  const dir = await mkdtemp(join(tmpdir(), 'douyin-cover-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const upload = join(dir, 'upload.mp4');
  await writeFile(upload, mp4);
  // /dev/full: every write fails with ENOSPC, as on a full disk.
  await assert.rejects(extractCover(MEDIA_TOOLS, upload, '/dev/full'), rejectsWith('SERVICE_UNAVAILABLE', 'media_unavailable'));
  // The same upload makes a cover where it can be written.
  await extractCover(MEDIA_TOOLS, upload, join(dir, 'cover.jpg'));
});

test('a tool that says megabytes about an upload has been given a bad file, not failed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'douyin-probe-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const talkative = join(dir, 'ffprobe');
  await writeFile(talkative, '#!/bin/sh\nhead -c 5000000 /dev/zero | tr "\\0" x\n');
  await chmod(talkative, 0o755);
  const upload = join(dir, 'upload');
  await writeFile(upload, 'not empty');
  await assert.rejects(probeVideo({ ...MEDIA_TOOLS, ffprobePath: talkative }, upload), rejectsWith('BAD_REQUEST', 'not_a_video'));
});
