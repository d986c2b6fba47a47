import type { Video } from '@douyin/contracts';
import { NO_VIDEO_EXTRAS, ZERO_USER, toApkVideo, type ApkUser, type ApkVideo, type VideoExtras } from '../apk.js';
import type { MediaUrls } from '../media-urls.js';
import { gatherFacts, type FactsSource, type FactsSources, type MarksSource } from './facts.js';
import { loadUsers, type UserViewDeps } from './users.js';

/** Facts about videos: favorite_count (favorite), comment_count (comment). */
export type VideoFactsSource = FactsSource<VideoExtras>;
/** The viewer's own flag on videos: is_favorite (favorite). */
export type VideoMarksSource = MarksSource<VideoExtras>;

export interface VideoViewDeps extends UserViewDeps {
  videoFacts: FactsSources<VideoExtras>;
  media: { urls: MediaUrls };
}

/**
 * The APK's Video objects for a page, in the given order: one batched call for the authors (plus their facts
 * sources) and one per video facts source, whatever the page's length. Pass `authors` when they are already known.
 */
export async function loadVideos(
  deps: VideoViewDeps,
  videos: readonly Video[],
  viewerId: number | undefined,
  authors?: ReadonlyMap<number, ApkUser>,
): Promise<ApkVideo[]> {
  if (videos.length === 0) return [];
  const [users, factsOf, urls] = await Promise.all([
    authors ?? loadUsers(deps, videos.map((v) => v.authorId), viewerId),
    gatherFacts(deps.videoFacts, videos.map((v) => v.id), viewerId, NO_VIDEO_EXTRAS, deps.logger),
    deps.media.urls.of(videos.flatMap((v) => [v.videoKey, v.coverKey])),
  ]);
  // An author the user service no longer knows still gets a well-formed User, so the page renders.
  return videos.map((v, i) => toApkVideo(v, users.get(v.authorId) ?? { ...ZERO_USER, id: v.authorId }, { play: urls[2 * i]!, cover: urls[2 * i + 1]! }, factsOf(v.id)));
}
