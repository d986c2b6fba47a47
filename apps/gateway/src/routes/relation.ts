import type { FastifyPluginAsync } from 'fastify';
import { inBatches, type Message } from '@douyin/contracts';
import { toApkFriendUser, type ApkUser } from '../apk.js';
import type { GatewayDeps } from '../deps.js';
import { collectParams, optionalId, requiredAction, requiredId, tokenOf } from '../params.js';
import { ok } from '../reply.js';
import { FriendUserSchema, UserSchema, apkResponse } from '../schemas.js';
import { ApkCode, ApkError } from '../status.js';
import { loadUsers } from '../views/users.js';

const userList = (schema: unknown) => ({
  schema: { response: apkResponse({ user_list: { type: 'array', items: schema } }) },
  config: { zero: { user_list: [] } },
});

/** Users in the order of `ids`; an id the user service no longer knows is left out. */
const inOrder = (ids: readonly number[], users: Map<number, ApkUser>): ApkUser[] =>
  ids.flatMap((id) => {
    const user = users.get(id);
    return user ? [user] : [];
  });

export const relationRoutes =
  (deps: GatewayDeps): FastifyPluginAsync =>
  async (app) => {
    app.post('/douyin/relation/action/', { schema: { response: apkResponse() }, config: { zero: {} } }, async (req) => {
      const params = await collectParams(req);
      const actorId = await deps.auth.requireUser(tokenOf(params, req));
      const targetId = requiredId(params, 'to_user_id');
      const call = requiredAction(params, 'action_type', ['1', '2']) === '1' ? deps.relation.follow : deps.relation.unfollow;
      await call.mutate({ actorId, targetId });
      return ok({});
    });

    for (const [url, list] of [
      ['/douyin/relation/follow/list/', deps.relation.following],
      ['/douyin/relation/follower/list/', deps.relation.followers],
    ] as const) {
      app.get(url, userList(UserSchema), async (req) => {
        const params = await collectParams(req);
        const userId = requiredId(params, 'user_id');
        const viewerId = await deps.auth.viewer(tokenOf(params, req));
        const ids = await list.query({ userId, limit: deps.listLimit });
        return ok({ user_list: inOrder(ids, await loadUsers(deps, ids, viewerId)) });
      });
    }

    app.get('/douyin/relation/friend/list/', userList(FriendUserSchema), async (req) => {
      const params = await collectParams(req);
      const viewerId = await deps.auth.requireUser(tokenOf(params, req));
      const requested = optionalId(params, 'user_id');
      if (requested !== undefined && requested !== viewerId) {
        await deps.user.byId.query({ userId: requested }); // an unknown user is 40401 before the 40301 (§1 check order)
        throw new ApkError(ApkCode.forbidden, 'you can only see your own friends');
      }
      const ids = await deps.relation.friends.query({ userId: viewerId, limit: deps.listLimit });
      // Loaded as nobody sees them: a friend's is_follow is true by definition (toApkFriendUser), not a question to
      // the relation service whose outage would show it false.
      const [users, latest] = await Promise.all([loadUsers(deps, ids, undefined), latestMessages(deps, viewerId, ids)]);
      const friends = inOrder(ids, users).map((user) => ({ user, latest: latest.get(user.id) }));
      // Latest message first; friends without messages last, by user id.
      friends.sort((a, b) => (b.latest?.createTime ?? -1) - (a.latest?.createTime ?? -1) || a.user.id - b.user.id);
      return ok({ user_list: friends.map(({ user, latest }) => toApkFriendUser(user, latest, viewerId)) });
    });
  };

/** The latest message with each friend, a call per batch; a message service outage shows the list without them. */
async function latestMessages(deps: GatewayDeps, viewerId: number, peerIds: number[]): Promise<Map<number, Message>> {
  if (peerIds.length === 0) return new Map();
  try {
    const latest = await inBatches(peerIds, (batch) => deps.message.latest.query({ userId: viewerId, peerIds: batch }));
    return new Map(latest.map(({ peerId, message }) => [peerId, message]));
  } catch (err) {
    deps.logger.warn({ err }, 'latest messages unavailable; friend list shows none');
    return new Map();
  }
}
