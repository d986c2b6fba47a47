/** A video as the video service's `byIds` returns it (structurally the contract's Video). */
export interface FakeVideo {
  id: number;
  authorId: number;
  title: string;
  videoKey: string;
  coverKey: string;
  publishedAt: number;
}

/**
 * The video service's `byIds` for services that only check video ids and authors: it knows the videos in
 * `authors` (video id → author id; more can be added later) and records every call.
 */
export function fakeVideoLookup(authors: Record<number, number>) {
  const known = new Map(Object.entries(authors).map(([id, authorId]) => [Number(id), authorId]));
  const calls: number[][] = [];
  const video = {
    byIds: {
      query: async ({ videoIds }: { videoIds: number[] }): Promise<FakeVideo[]> => {
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
