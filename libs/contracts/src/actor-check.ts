import { requireUsers, type UserLookup } from './user-check.js';
import { requireVideo, type VideoLookup } from './video-check.js';
import type { Video } from './video.js';

/**
 * The video an actor writes on (a like, a comment), after checking both exist: the gateway vouches for its token's
 * user, but a call from elsewhere in the mesh for an id nobody has would otherwise be stored and counted. Both
 * lookups run at once; an unknown actor is reported before an unknown video, whichever answers first.
 */
export async function requireActorAndVideo(user: UserLookup, video: VideoLookup, actorId: number, videoId: number): Promise<Video> {
  const [actor, target] = await Promise.allSettled([requireUsers(user, [actorId]), requireVideo(video, videoId)]);
  if (actor.status === 'rejected') throw actor.reason;
  if (target.status === 'rejected') throw target.reason;
  return target.value;
}
