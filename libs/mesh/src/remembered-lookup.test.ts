import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rememberedByIds } from '@douyin/mesh';

interface Video {
  id: number;
  authorId: number;
}

/** A fake byIds procedure over `rows` that records the ids of each call. */
function videos(rows: Map<number, Video>) {
  const calls: number[][] = [];
  const procedure = {
    async query({ videoIds }: { videoIds: number[] }): Promise<Video[]> {
      calls.push(videoIds);
      return videoIds.flatMap((id) => rows.get(id) ?? []);
    },
  };
  return { calls, procedure };
}

const row = (id: number): Video => ({ id, authorId: id * 10 });

test('ids found are answered from memory; only the others are asked, in one call, answers in the order asked', async () => {
  const { calls, procedure } = videos(new Map([1, 2, 3].map((id) => [id, row(id)])));
  const lookup = rememberedByIds(procedure, 'videoIds', { ttlMs: 60_000, max: 100 });
  assert.deepEqual(await lookup.query({ videoIds: [2, 1] }), [row(2), row(1)]);
  assert.deepEqual(await lookup.query({ videoIds: [3, 1, 2, 3] }), [row(3), row(1), row(2)]);
  assert.deepEqual(calls, [[2, 1], [3]]);
  assert.deepEqual(await lookup.query({ videoIds: [1, 2, 3] }), [row(1), row(2), row(3)]);
  assert.equal(calls.length, 2);
});

test('an id not found is asked again every time, so a row created since is seen at once', async () => {
  const rows = new Map<number, Video>();
  const { calls, procedure } = videos(rows);
  const lookup = rememberedByIds(procedure, 'videoIds', { ttlMs: 60_000, max: 100 });
  assert.deepEqual(await lookup.query({ videoIds: [7] }), []);
  rows.set(7, row(7));
  assert.deepEqual(await lookup.query({ videoIds: [7] }), [row(7)]);
  assert.deepEqual(await lookup.query({ videoIds: [7] }), [row(7)]);
  assert.deepEqual(calls, [[7], [7]]);
});

test('after the TTL an id is asked again, and a row gone by then is no longer answered', async () => {
  let clock = 0;
  const rows = new Map([[1, row(1)]]);
  const { calls, procedure } = videos(rows);
  const lookup = rememberedByIds(procedure, 'videoIds', { ttlMs: 1_000, max: 100, now: () => clock });
  await lookup.query({ videoIds: [1] });
  clock = 999;
  assert.deepEqual(await lookup.query({ videoIds: [1] }), [row(1)]);
  assert.equal(calls.length, 1);
  rows.clear();
  clock = 1_000;
  assert.deepEqual(await lookup.query({ videoIds: [1] }), []);
  assert.equal(calls.length, 2);
});

test('past max the oldest finds are forgotten first; a find asked again counts as new', async () => {
  const { calls, procedure } = videos(new Map([1, 2, 3, 4].map((id) => [id, row(id)])));
  const lookup = rememberedByIds(procedure, 'videoIds', { ttlMs: 60_000, max: 2 });
  await lookup.query({ videoIds: [1] });
  await lookup.query({ videoIds: [2] });
  await lookup.query({ videoIds: [3] }); // forgets 1
  calls.length = 0;
  await lookup.query({ videoIds: [2, 3] });
  assert.deepEqual(calls, []);
  await lookup.query({ videoIds: [1] }); // asked again, forgets 2
  await lookup.query({ videoIds: [3, 1] });
  assert.deepEqual(calls, [[1]]);
  await lookup.query({ videoIds: [2] });
  assert.deepEqual(calls, [[1], [2]]);
});

test('a lookup that could keep nothing is refused when made', () => {
  const { procedure } = videos(new Map());
  assert.throws(() => rememberedByIds(procedure, 'videoIds', { max: 0 }), RangeError);
  assert.throws(() => rememberedByIds(procedure, 'videoIds', { max: Number.NaN }), RangeError);
});

test('a failed call is the caller\'s, and remembers nothing', async () => {
  let fail = true;
  const calls: number[][] = [];
  const lookup = rememberedByIds(
    {
      async query({ videoIds }: { videoIds: number[] }) {
        calls.push(videoIds);
        if (fail) throw new Error('video service down');
        return videoIds.map(row);
      },
    },
    'videoIds',
    { ttlMs: 60_000, max: 10 },
  );
  await assert.rejects(lookup.query({ videoIds: [1] }), /video service down/);
  fail = false;
  assert.deepEqual(await lookup.query({ videoIds: [1] }), [row(1)]);
  assert.deepEqual(calls, [[1], [1]]);
});
