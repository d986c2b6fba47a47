import { Reason, domainError } from './errors.js';
import type { UserIdsInput, UserProfile } from './user.js';

/** The part of the user service's client a service needs to check ids (a mesh client or a plain fake). */
export interface UserLookup {
  byIds: { query(input: UserIdsInput): Promise<UserProfile[]> };
}

/** Throws NOT_FOUND/user_not_found unless every id names an existing user; one `byIds` call for all of them. */
export async function requireUsers(user: UserLookup, userIds: readonly number[]): Promise<void> {
  const wanted = [...new Set(userIds)];
  const found = new Set((await user.byIds.query({ userIds: wanted })).map((profile) => profile.id));
  const missing = wanted.filter((id) => !found.has(id));
  if (missing.length > 0) throw domainError('NOT_FOUND', Reason.userNotFound, `user ${missing.join(', ')} not found`);
}
