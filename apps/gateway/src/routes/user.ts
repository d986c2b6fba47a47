import type { FastifyPluginAsync } from 'fastify';
import { LIMITS, Reason } from '@douyin/contracts';
import { meshErrorData } from '@douyin/mesh';
import { ZERO_USER } from '../apk.js';
import { clientOf } from '../client-network.js';
import type { GatewayDeps } from '../deps.js';
import { collectParams, optionalId, requiredText, tokenOf, type Params } from '../params.js';
import { UserSchema, apkResponse } from '../schemas.js';
import { ApkCode, ApkError } from '../status.js';
import { loadUser } from '../views/users.js';
import { ok } from '../reply.js';

const tokenRoute = {
  schema: { response: apkResponse({ user_id: { type: 'integer' }, token: { type: 'string' } }) },
  config: { zero: { user_id: 0, token: '' } },
};

const credentials = (params: Params) => ({
  username: requiredText(params, 'username', { ...LIMITS.username, strictControl: true }),
  password: requiredText(params, 'password', { ...LIMITS.password, allowBlank: true }),
});

export const userRoutes =
  (deps: GatewayDeps): FastifyPluginAsync =>
  async (app) => {
    app.post('/douyin/user/register/', tokenRoute, async (req) => {
      const { userId } = await deps.user.register.mutate(credentials(await collectParams(req)));
      return ok({ user_id: userId, token: await deps.tokens.issue(userId) });
    });

    app.post('/douyin/user/login/', tokenRoute, async (req, reply) => {
      const { username, password } = credentials(await collectParams(req));
      const guard = deps.loginGuard;
      const client = clientOf(req);
      const waitMs = (await guard?.begin(username, client)) ?? 0;
      if (waitMs > 0) {
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        throw new ApkError(ApkCode.rateLimited, 'too many failed logins, please retry later');
      }
      let userId: number;
      try {
        ({ userId } = await deps.user.login.query({ username, password }));
      } catch (err) {
        // The attempt was counted as a failure when it began; only a wrong password keeps it so.
        if (meshErrorData(err)?.reason !== Reason.badCredentials) await guard?.abandoned(username, client);
        throw err;
      }
      await guard?.succeeded(username, client);
      return ok({ user_id: userId, token: await deps.tokens.issue(userId) });
    });

    app.get(
      '/douyin/user/',
      { schema: { response: apkResponse({ user: UserSchema }) }, config: { zero: { user: ZERO_USER } } },
      async (req) => {
        const params = await collectParams(req);
        const requested = optionalId(params, 'user_id');
        const viewerId = await deps.auth.viewer(tokenOf(params, req));
        const userId = requested ?? viewerId;
        if (userId === undefined) throw new ApkError(ApkCode.missingParam, 'user_id is required');
        const user = await loadUser(deps, userId, viewerId).catch((err: unknown) => {
          // A valid token whose account is gone names nobody (§1.1): the request named no user at all.
          if (requested === undefined && meshErrorData(err)?.reason === Reason.userNotFound) throw new ApkError(ApkCode.missingParam, 'user_id is required');
          throw err;
        });
        return ok({ user });
      },
    );
  };
