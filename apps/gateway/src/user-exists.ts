import { ID_BATCH_MAX, type UserLookup } from '@douyin/contracts';
import { coalescedByIds } from '@douyin/mesh';

/**
 * Asks the user service whether an account exists; a failure to answer propagates. The checks of one turn of the
 * event loop share one byIds call, so a crowd of sessions new to this gateway costs the user service a few calls.
 */
export function userExists(user: UserLookup): (userId: number) => Promise<boolean> {
  const lookup = coalescedByIds(user.byIds, 'userIds', ID_BATCH_MAX);
  return async (userId) => (await lookup.query({ userIds: [userId] })).length > 0;
}
