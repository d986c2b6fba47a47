import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createObjectStore, newKey } from '@douyin/storage';
import type { RunningMesh } from './mesh.js';
import { median } from './median.js';
import { REPO_ROOT, rssMb } from './processes.js';

export interface UploadResult {
  bytes: number;
  /** Highest RSS growth of the gateway and the video service while any upload ran. */
  rssGrowthMb: number;
  /** The median over rounds of upload throughput divided by the raw PUT's. */
  ratio: number;
  rounds: Array<{ uploadMBps: number; rawPutMBps: number }>;
}

/** Upload, then raw PUT, this many times; the ratio is the median of the rounds'. */
const UPLOAD_ROUNDS = 5;

const CACHE = join(REPO_ROOT, 'bench', '.cache');

/** A real MP4 of at least `megabytes` (noise compresses badly, so it gets big fast), made once and kept. */
async function videoOfSize(megabytes: number): Promise<string> {
  const file = join(CACHE, `upload-${megabytes}mb.mp4`);
  if (existsSync(file) && statSync(file).size >= megabytes * 1024 * 1024) return file;
  await mkdir(CACHE, { recursive: true });
  // mpeg4 at a fixed high bitrate: the size follows the duration, which is cheap to compute from the bitrate.
  const seconds = Math.ceil((megabytes * 8) / 80) + 1;
  await promisify(execFile)('ffmpeg', [
    '-y', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${seconds}`,
    '-c:v', 'mpeg4', '-b:v', '80M', '-minrate', '80M', '-maxrate', '80M', '-bufsize', '80M', file,
  ]);
  return file;
}

/**
 * POSTs a multipart form whose last part streams `file`, as a phone's HTTP client does. (fetch with a FormData of
 * openAsBlob measured about 80 MB/s here, a third of what the gateway takes in: it measured the client.)
 */
function postVideo(url: string, fields: Record<string, string>, file: string): Promise<{ status_code: number; status_msg: string }> {
  const boundary = `douyin-bench-${randomBytes(8).toString('hex')}`;
  const part = (name: string, extra = '') => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n`;
  const head = Buffer.from(
    Object.entries(fields).map(([name, value]) => `${part(name)}\r\n${value}\r\n`).join('') +
      `${part('data', '; filename="bench.mp4"')}Content-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + statSync(file).size + tail.length;
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': length };
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as { status_code: number; status_msg: string });
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', reject);
    req.write(head);
    const video = createReadStream(file, { highWaterMark: 1024 * 1024 });
    video.on('error', reject).on('end', () => req.end(tail));
    video.pipe(req, { end: false });
  });
}

/**
 * Publishes a `megabytes` video through the gateway while sampling the RSS of the gateway and the video service, then
 * PUTs the same file straight into the same kind of store, in alternating rounds: the upload's overhead is the
 * median ratio of the two (one run of each gave ratios from 0.26 to 1.21 across runs of the bench).
 */
export async function measureUpload(mesh: RunningMesh, megabytes: number): Promise<UploadResult> {
  const file = await videoOfSize(megabytes);
  const bytes = statSync(file).size;
  const mb = bytes / 1024 / 1024;
  const pids = [mesh.gateway.pid, mesh.apps.get('video')?.pid ?? 0].filter((pid) => pid > 0);
  const before = await Promise.all(pids.map(rssMb));
  let growth = 0;
  const sampler = setInterval(() => {
    void Promise.all(pids.map(rssMb)).then((now) => (growth = Math.max(growth, ...now.map((mb, i) => mb - before[i]!))), () => undefined);
  }, 50);
  const fields = { token: await mesh.token(1), title: 'bench upload' };
  const rounds: UploadResult['rounds'] = [];
  try {
    for (let i = 0; i < UPLOAD_ROUNDS; i++) {
      const uploadSeconds = await timed(async () => {
        const body = await postVideo(`${mesh.gateway.url}/douyin/publish/action/`, fields, file);
        if (body.status_code !== 0) throw new Error(`upload answered ${body.status_code} ${body.status_msg}`);
      });
      const putSeconds = await timedRawPut(join(mesh.storageDir, '..', 'raw-put'), file);
      rounds.push({ uploadMBps: mb / uploadSeconds, rawPutMBps: mb / putSeconds });
    }
  } finally {
    clearInterval(sampler);
  }
  return { bytes, rssGrowthMb: growth, ratio: median(rounds.map((r) => r.uploadMBps / r.rawPutMBps)), rounds };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

/** Seconds a PUT of `file` into a fresh disk store at `root` takes; the store is removed afterwards, untimed. */
async function timedRawPut(root: string, file: string): Promise<number> {
  const store = createObjectStore({ kind: 'disk', root });
  await store.prepare();
  try {
    return await timed(() => store.put(newKey('staging', 'mp4'), createReadStream(file)));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
