import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Uploads for publish tests, made by ffmpeg's test sources (Debian's ffmpeg package). */
export interface MediaFixtures {
  /** A 1 s 160x120 H.264 MP4, different on every call (the seed picks the noise) */
  mp4: Buffer;
  /** A one-frame PNG: a still image ffprobe reports as a "video" stream */
  png: Buffer;
  /** An animated GIF: still-image format, several frames */
  gif: Buffer;
  /** The first half of the MP4: its index (moov) is lost, so it is no container any more */
  truncatedMp4: Buffer;
  text: Buffer;
}

/** Generates a fresh set of fixtures in a temp dir removed after the test. */
export async function mediaFixtures(t: { after(fn: () => unknown): void }, ffmpeg = 'ffmpeg'): Promise<MediaFixtures> {
  const dir = await mkdtemp(join(tmpdir(), 'douyin-media-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const seed = Math.floor(Math.random() * 1_000_000);
  const make = (name: string, ...args: string[]) => run(ffmpeg, ['-v', 'error', '-nostdin', '-y', ...args, join(dir, name)]);
  await Promise.all([
    make('v.mp4', '-f', 'lavfi', '-i', `testsrc=duration=1:size=160x120:rate=10,noise=alls=20:allf=t:all_seed=${seed}`, '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast'),
    make('i.png', '-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1'),
    make('a.gif', '-f', 'lavfi', '-i', 'testsrc=duration=0.5:size=64x48:rate=5'),
  ]);
  const mp4 = await readFile(join(dir, 'v.mp4'));
  return {
    mp4,
    png: await readFile(join(dir, 'i.png')),
    gif: await readFile(join(dir, 'a.gif')),
    truncatedMp4: mp4.subarray(0, Math.floor(mp4.length / 2)),
    text: Buffer.from('definitely not a video\n'),
  };
}
