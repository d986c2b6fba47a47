/**
 * The video service's `byIds` for services that only check video ids and authors: it knows the videos in
 * `authors` (video id → author id; more can be added later) and records every call. Its answers have the
 * contract's Video shape, which the routers that take it check at their call site.
 */
export function fakeVideoLookup(authors: Record<number, number>) {
  const known = new Map(Object.entries(authors).map(([id, authorId]) => [Number(id), authorId]));
  const calls: number[][] = [];
  const video = {
    byIds: {
      query: async ({ videoIds }: { videoIds: number[] }) => {
        calls.push(videoIds);
        return videoIds.flatMap((id) => {
          const authorId = known.get(id);
          return authorId === undefined ? [] : [{ id, authorId, title: `video ${id}`, videoKey: `v/${id}`, coverKey: `c/${id}`, publishedAt: id }];
        });
      },
    },
  };
  return { video, calls, known };
}
