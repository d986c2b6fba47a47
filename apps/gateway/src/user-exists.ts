import { ID_BATCH_MAX, type UserLookup } from '@douyin/contracts';
import { coalescedByIds, rememberedByIds, type RememberOptions } from '@douyin/mesh';

// A signed token for a vanished user (say, a wiped dev database) must fail, but asking the user service on every
// signed-in request would double the mesh traffic: confirmed users are remembered for a minute.
const CONFIRMED_FOR_MS = 60_000;
const CONFIRMED_MAX = 100_000;

/**
 * Asks the user service whether an account exists; a failure to answer propagates. Accounts confirmed within the
 * last minute are not asked again, and the checks of one turn of the event loop share one byIds call, so a crowd of
 * sessions new to this gateway costs the user service a few calls.
 */
export function userExists(user: UserLookup, remember: RememberOptions = {}): (userId: number) => Promise<boolean> {
  const lookup = rememberedByIds(coalescedByIds(user.byIds, 'userIds', ID_BATCH_MAX), 'userIds', { ttlMs: CONFIRMED_FOR_MS, max: CONFIRMED_MAX, ...remember });
  return async (userId) => (await lookup.query({ userIds: [userId] })).length > 0;
}
