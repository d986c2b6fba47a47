import { execFile } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { Reason, domainError } from '@douyin/contracts';

export interface MediaTools {
  ffprobePath: string;
  ffmpegPath: string;
  /** A probe or a cover taking longer than this is a tool failure, not the upload's fault. */
  timeoutMs: number;
}

/** What the probe learned about an upload: the extension its key gets, which decides its Content-Type. */
export interface ProbedVideo {
  extension: string;
}

interface ProbeOutput {
  format?: { format_name?: string };
  streams?: Array<{ codec_type?: string; codec_name?: string; disposition?: { attached_pic?: number } }>;
}

const WEBM_CODECS = new Set(['vp8', 'vp9', 'av1', 'opus', 'vorbis']);

/**
 * The containers a video may come in, by ffmpeg demuxer (`mov` reads MP4, MOV and 3GP; `matroska` MKV and WebM),
 * with the extension its key gets. Each holds its video itself: a playlist (HLS, DASH) or a concat list only names
 * other files, which the tools would open and find a video in (another user's upload on this disk), while what is
 * stored and played is the list. Still images (PNG, GIF, WebP), which ffprobe reads as a one-frame "video", are not
 * videos (contract §4.5) and come in none of them.
 */
const CONTAINERS: Record<string, (codecs: string[]) => string> = {
  mov: () => 'mp4',
  matroska: (codecs) => (codecs.every((c) => WEBM_CODECS.has(c)) ? 'webm' : 'mkv'),
  avi: () => 'avi',
  flv: () => 'flv',
  mpegts: () => 'ts',
  ogg: () => 'ogv',
  mpeg: () => 'mpg',
  asf: () => 'wmv',
};

// ffprobe names a demuxer by all its aliases ("mov,mp4,m4a,3gp,3g2,mj2"); the first is the demuxer's own name.
const extensionOf = (format: string, codecs: string[]): string | undefined => CONTAINERS[format.split(',')[0] ?? '']?.(codecs);

// Only the uploaded file itself may be read, in one of the containers above, never the network (Debian's builds
// already refuse it for nested opens; others may not).
const INPUT_LIMITS = ['-protocol_whitelist', 'file', '-format_whitelist', Object.keys(CONTAINERS).join(',')];

const notAVideo = (why: string) => domainError('BAD_REQUEST', Reason.notAVideo, `upload is not a video: ${why}`);

interface RunResult {
  stdout: string;
  /** The tool ran and rejected the input (non-zero exit). */
  rejected: boolean;
  stderr: string;
}

/** Runs a tool; a missing binary, a timeout or a crash is media_unavailable, a non-zero exit is the input's fault. */
function run(path: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr, rejected: false });
      const exit = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string | null };
      if (typeof exit.code === 'number' && !exit.killed && !exit.signal) return resolve({ stdout, stderr, rejected: true });
      // Only an input makes a tool say this much (errors on every packet of a broken stream, say): its fault too.
      if (exit.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return resolve({ stdout, stderr, rejected: true });
      reject(domainError('SERVICE_UNAVAILABLE', Reason.mediaUnavailable, `${path} failed: ${err.message}`, err));
    });
  });
}

/** Probes the container (never the name or MIME type): a media file with a video stream that is not a still image. */
export async function probeVideo(tools: MediaTools, file: string): Promise<ProbedVideo> {
  if ((await stat(file)).size === 0) throw notAVideo('the file is empty');
  // Only the fields read below: the whole format and streams would carry the file's tags, megabytes in some files.
  const fields = 'format=format_name:stream=codec_type,codec_name:stream_disposition=attached_pic';
  const args = ['-v', 'error', ...INPUT_LIMITS, '-print_format', 'json', '-show_entries', fields, file];
  const { stdout, rejected } = await run(tools.ffprobePath, args, tools.timeoutMs);
  if (rejected) throw notAVideo('not a video container');
  const probe = JSON.parse(stdout) as ProbeOutput;
  const format = probe.format?.format_name ?? '';
  const streams = probe.streams ?? [];
  if (!format) throw notAVideo('unknown format');
  // Cover art in an audio file is a "video" stream too, flagged as an attached picture.
  if (!streams.some((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1)) throw notAVideo('no video stream');
  const extension = extensionOf(format, streams.map((s) => s.codec_name ?? ''));
  if (!extension) throw notAVideo(`not a video container (${format})`);
  return { extension };
}

// What ffmpeg says when its output cannot be written: the work dir's trouble (full, read-only), not the upload's.
const CANNOT_WRITE = /No space left on device|Disk quota exceeded|Read-only file system|Permission denied|Could not open file/;

/** Writes the first frame as JPEG; a first frame that cannot be decoded means the upload is not a playable video. */
export async function extractCover(tools: MediaTools, input: string, output: string): Promise<void> {
  const args = ['-v', 'error', '-nostdin', '-y', ...INPUT_LIMITS, '-i', input, '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', output];
  const { rejected, stderr } = await run(tools.ffmpegPath, args, tools.timeoutMs);
  const cannotWrite = rejected ? CANNOT_WRITE.exec(stderr) : null;
  if (cannotWrite) throw domainError('SERVICE_UNAVAILABLE', Reason.mediaUnavailable, `the cover could not be written: ${cannotWrite[0]}`);
  if (rejected || !(await startsWithJpegMarker(output))) throw notAVideo('the first frame cannot be decoded');
}

async function startsWithJpegMarker(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0xff && buffer[1] === 0xd8;
  } finally {
    await handle.close();
  }
}
