import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { gatewayFor } from '../test/harness.js';
import { MEDIA_BASE } from '../test/video-fakes.js';

/** The chunks of a PNG, each checked against its CRC. */
function chunksOf(png: Buffer): { type: string; data: Buffer }[] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    chunks.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    assert.equal(png.readUInt32BE(at + 8 + length), crc32(png.subarray(at + 4, at + 8 + length)), `${type} CRC`);
    at += 12 + length;
  }
  return chunks;
}

for (const [name, width, height] of [['avatar', 240, 240], ['background', 1080, 360]] as const) {
  test(`${name}.png is a whole RGB PNG of ${width}×${height}, cached by ETag`, async (t) => {
    const app = await gatewayFor(t);
    const res = await app.inject({ method: 'GET', url: `/static/${name}.png` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/png');
    const chunks = chunksOf(res.rawPayload);
    assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
    const header = chunks[0]!.data;
    assert.deepEqual([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]], [width, height, 8, 2]);
    const rows = inflateSync(chunks[1]!.data);
    assert.equal(rows.length, height * (1 + 3 * width));
    // Not one flat colour: something is drawn.
    assert.ok(new Set(rows.filter((_, i) => i % (1 + 3 * width) !== 0)).size > 8);
    // And a real decoder reads it whole (Debian's ffmpeg, which the video service needs anyway).
    const dir = mkdtempSync(join(tmpdir(), 'douyin-png-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'image.png'), res.rawPayload);
    const decoded = spawnSync('ffmpeg', ['-v', 'error', '-i', join(dir, 'image.png'), '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(decoded.status, 0, decoded.stderr);
    assert.equal(decoded.stderr, '');

    for (const tags of [String(res.headers.etag), `W/${String(res.headers.etag)}`, '*']) {
      const again = await app.inject({ method: 'GET', url: `/static/${name}.png`, headers: { 'if-none-match': tags } });
      assert.equal(again.statusCode, 304, tags);
    }
    assert.equal((await app.inject({ method: 'HEAD', url: `/static/${name}.png` })).statusCode, 200);
  });
}

test('every user carries the default avatar and banner as absolute URLs; other names are 404', async (t) => {
  const app = await gatewayFor(t);
  const registered = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=pic&password=secret1' })).json();
  const { user } = (await app.inject({ method: 'GET', url: `/douyin/user/?user_id=${registered.user_id}` })).json();
  assert.equal(user.avatar, `${MEDIA_BASE}/static/avatar.png`);
  assert.equal(user.background_image, `${MEDIA_BASE}/static/background.png`);
  for (const name of ['other.png', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.equal((await app.inject({ method: 'GET', url: `/static/${name}` })).statusCode, 404, name);
  }
});
