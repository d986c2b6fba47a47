import { inBatches, type UserLookup, type UserRouter } from '@douyin/contracts';
import type { MeshClient } from '@douyin/mesh';
import type { Logger } from '@douyin/telemetry';
import { NO_EXTRAS, toApkUser, type ApkUser, type UserExtras } from '../apk.js';
import type { ProfileImageUrls } from '../profile-images.js';
import { gatherFacts, type FactsSource, type FactsSources, type MarksSource } from './facts.js';

/** Facts about users: follow counts (relation), work_count (video), favorite counts (favorite). */
export type UserFactsSource = FactsSource<UserExtras>;
/** The viewer's own flag on users: is_follow (relation). */
export type UserMarksSource = MarksSource<UserExtras>;

export interface UserViewDeps {
  user: Pick<MeshClient<UserRouter>, 'byId'> & UserLookup;
  userFacts: FactsSources<UserExtras>;
  profileImages: ProfileImageUrls;
  logger: Logger;
}

/** The APK's User objects for a page: one batched call to the user service and one per facts source. */
export async function loadUsers(deps: UserViewDeps, userIds: readonly number[], viewerId: number | undefined): Promise<Map<number, ApkUser>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const [profiles, factsOf] = await Promise.all([
    inBatches(ids, (userIds) => deps.user.byIds.query({ userIds })),
    gatherFacts(deps.userFacts, ids, viewerId, NO_EXTRAS, deps.logger),
  ]);
  return new Map(profiles.map((profile) => [profile.id, toApkUser(profile, factsOf(profile.id), deps.profileImages)]));
}

/** One user's APK object; the user service's NOT_FOUND (user_not_found) propagates as 40401. */
export async function loadUser(deps: UserViewDeps, userId: number, viewerId: number | undefined): Promise<ApkUser> {
  const [profile, factsOf] = await Promise.all([
    deps.user.byId.query({ userId }),
    gatherFacts(deps.userFacts, [userId], viewerId, NO_EXTRAS, deps.logger),
  ]);
  return toApkUser(profile, factsOf(userId), deps.profileImages);
}
