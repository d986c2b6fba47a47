import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseModes, filesUnder, freshDatabase, mediaFixtures } from '@douyin/testing';
import { multipartBody, type FormPart } from '../test/multipart.js';
import { apkCall, startLocalMesh } from '../test/processes.js';

const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/** The fields of APK answers this test reads. */
interface Answer {
  status_code: number;
  status_msg: string;
  token: string;
  user_id: number;
  next_time: number;
  user: { work_count: number };
  video_list: Array<{ title: string; author: { id: number; work_count: number }; play_url: string; cover_url: string }>;
}

// Real processes on loopback sharing one media folder, as `npm start` runs them; the generated MP4 goes through
// the gateway's multipart streaming, the video service's ffprobe/ffmpeg, and back out through the media route.
for (const mode of databaseModes()) {
  test(`publish, play back, page the feed, and refuse bad uploads end to end (${mode})`, { timeout: 90_000 }, async (t) => {
    const db = await freshDatabase(t, mode);
    const [fixtures, mesh] = await Promise.all([
      mediaFixtures(t),
      startLocalMesh(t, db, ['user', 'video'], { perApp: { gateway: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), FEED_PAGE_SIZE: '2' } } }),
    ]);
    const { storageDir } = mesh;
    const base = mesh.gateway.url;

    const api = (method: 'GET' | 'POST', path: string, init: { query?: Record<string, string | number>; form?: FormPart[] } = {}) =>
      apkCall<Answer>(base, method, path, init.query ?? {}, { form: init.form && multipartBody(init.form) });
    const { token, user_id: userId } = await api('POST', '/douyin/user/register/', { query: { username: 'maker', password: 'secret1' } });
    const upload = (data: Buffer, title = 'clip') =>
      api('POST', '/douyin/publish/action/', { form: [{ name: 'token', value: token }, { name: 'title', value: title }, { name: 'data', value: data, filename: 'x.mp4' }] });

    assert.deepEqual(await upload(fixtures.mp4, '第一条'), { status_code: 0, status_msg: 'success' } as Answer);

    const first = (await api('GET', '/douyin/feed/')).video_list[0]!;
    assert.equal(first.title, '第一条');
    assert.equal(first.author.id, userId);
    assert.equal(first.author.work_count, 1);
    assert.ok(first.play_url.startsWith(`${base}/media/videos/`) && first.play_url.endsWith('.mp4'));
    const played = await fetch(first.play_url);
    assert.equal(played.headers.get('content-type'), 'video/mp4');
    assert.ok(fixtures.mp4.equals(Buffer.from(await played.arrayBuffer())), 'the exact uploaded bytes');
    const seek = await fetch(first.play_url, { headers: { range: 'bytes=100-299' } });
    assert.equal(seek.status, 206);
    assert.ok(fixtures.mp4.subarray(100, 300).equals(Buffer.from(await seek.arrayBuffer())));
    const cover = await fetch(first.cover_url);
    assert.equal(cover.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual([...Buffer.from(await cover.arrayBuffer()).subarray(0, 2)], [0xff, 0xd8]);
    const stored = await filesUnder(storageDir);
    assert.equal(stored.length, 2, stored.join());

    // Bad uploads: each gets its status and leaves the media folder as it was.
    for (const [name, bytes, code] of [
      ['text', fixtures.text, 40005],
      ['png', fixtures.png, 40005],
      ['gif', fixtures.gif, 40005],
      ['empty (an empty value is an absent one)', Buffer.alloc(0), 40001],
      ['truncated', fixtures.truncatedMp4, 40005],
      ['too large', Buffer.alloc(MAX_UPLOAD_BYTES + 1), 40006],
    ] as const) {
      assert.equal((await upload(bytes)).status_code, code, name);
    }
    assert.equal((await upload(fixtures.mp4, ' ')).status_code, 40003);
    assert.equal((await api('POST', '/douyin/publish/action/', { form: [{ name: 'token', value: 'bad' }, { name: 'title', value: 't' }, { name: 'data', value: fixtures.mp4, filename: 'x' }] })).status_code, 40102);

    // An upload cut off mid-body leaves nothing behind once the gateway notices.
    await new Promise<void>((resolve) => {
      const { payload, headers } = multipartBody([{ name: 'token', value: token }, { name: 'title', value: 'cut' }, { name: 'data', value: fixtures.mp4, filename: 'x' }]);
      const req = request(`${base}/douyin/publish/action/`, { method: 'POST', headers: { ...headers, 'content-length': payload.length } });
      req.on('error', () => resolve());
      req.write(payload.subarray(0, Math.floor(payload.length / 2)), () => setTimeout(() => (req.destroy(), resolve()), 200));
    });
    await sleep(300);
    assert.deepEqual(await filesUnder(storageDir), stored);

    // Paging with a page size of 2 over three videos.
    assert.equal((await upload(fixtures.mp4, 'second')).status_code, 0);
    assert.equal((await upload(fixtures.mp4, 'third')).status_code, 0);
    const page1 = await api('GET', '/douyin/feed/', { query: { token } });
    assert.deepEqual(page1.video_list.map((v) => v.title), ['third', 'second']);
    const page2 = await api('GET', '/douyin/feed/', { query: { latest_time: page1.next_time } });
    assert.deepEqual(page2.video_list.map((v) => v.title), ['第一条']);
    const page3 = await api('GET', '/douyin/feed/', { query: { latest_time: page2.next_time } });
    assert.deepEqual(page3.video_list, []);
    assert.ok(Math.abs(page3.next_time - Date.now()) < 5_000);
    const list = await api('GET', '/douyin/publish/list/', { query: { user_id: userId } });
    assert.deepEqual(list.video_list.map((v) => v.title), ['third', 'second', '第一条']);
    assert.equal((await api('GET', '/douyin/user/', { query: { user_id: userId } })).user.work_count, 3);
    assert.equal((await filesUnder(storageDir)).length, 6);
  });
}

// The APK sends the file before its token: an upload that takes longer than the request's whole mesh budget
// (MESH_TIMEOUT_MS from its arrival) must still have its token checked and be published.
test('an upload slower than the request budget, its token after the file as the APK sends it, is published', { timeout: 60_000 }, async (t) => {
  const db = await freshDatabase(t, 'sqlite');
  const [fixtures, mesh] = await Promise.all([mediaFixtures(t), startLocalMesh(t, db, ['user', 'video'], { perApp: { gateway: { MESH_TIMEOUT_MS: '1000' } } })]);
  const base = mesh.gateway.url;
  const registered = await fetch(`${base}/douyin/user/register/?username=slow&password=secret1`, { method: 'POST' });
  const { token } = (await registered.json()) as Answer;
  const { payload, headers } = multipartBody([{ name: 'data', value: fixtures.mp4, filename: 'x.mp4' }, { name: 'token', value: token }, { name: 'title', value: 'slow' }]);
  const answer = await new Promise<Answer>((resolve, reject) => {
    const req = request(`${base}/douyin/publish/action/`, { method: 'POST', headers: { ...headers, 'content-length': payload.length } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body) as Answer));
    });
    req.on('error', reject);
    // Most of the file, then a pause longer than the budget, then the rest with the token and title.
    const split = payload.length - 200;
    req.write(payload.subarray(0, split), () => setTimeout(() => req.end(payload.subarray(split)), 1_500));
  });
  assert.deepEqual(answer, { status_code: 0, status_msg: 'success' } as Answer);
  const feed = (await (await fetch(`${base}/douyin/feed/`)).json()) as Answer;
  assert.deepEqual(feed.video_list.map((v) => v.title), ['slow']);
});

