import { Reason, domainError } from './errors.js';
import type { Video, VideoIdsInput } from './video.js';

/** The part of the video service's client a service needs to check a video id (a mesh client or a plain fake). */
export interface VideoLookup {
  byIds: { query(input: VideoIdsInput): Promise<Video[]> };
}

/** The video, or NOT_FOUND/video_not_found; one `byIds` call. */
export async function requireVideo(video: VideoLookup, videoId: number): Promise<Video> {
  const [found] = await video.byIds.query({ videoIds: [videoId] });
  if (!found || found.id !== videoId) throw domainError('NOT_FOUND', Reason.videoNotFound, `video ${videoId} not found`);
  return found;
}
