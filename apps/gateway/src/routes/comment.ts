import type { FastifyPluginAsync } from 'fastify';
import { COMMENT_TEXT, type Comment } from '@douyin/contracts';
import { ZERO_COMMENT, ZERO_USER, toApkComment, type ApkUser } from '../apk.js';
import type { GatewayDeps } from '../deps.js';
import { collectParams, requiredAction, requiredId, requiredText, tokenOf } from '../params.js';
import { ok } from '../reply.js';
import { CommentSchema, apkResponse } from '../schemas.js';
import { loadUsers } from '../views/users.js';

export const commentRoutes =
  (deps: GatewayDeps): FastifyPluginAsync =>
  async (app) => {
    // The commenter as the APK shows them; a user the user service no longer knows still renders.
    const apkComments = async (comments: readonly Comment[], viewerId: number | undefined) => {
      const users = await loadUsers(deps, comments.map((c) => c.userId), viewerId);
      const userOf = (id: number): ApkUser => users.get(id) ?? { ...ZERO_USER, id };
      return comments.map((c) => toApkComment(c, userOf(c.userId), deps.timeZone));
    };

    app.post(
      '/douyin/comment/action/',
      { schema: { response: apkResponse({ comment: CommentSchema }) }, config: { zero: { comment: ZERO_COMMENT } } },
      async (req) => {
        const params = await collectParams(req);
        const actorId = await deps.auth.requireUser(tokenOf(params, req));
        const videoId = requiredId(params, 'video_id');
        const comment =
          requiredAction(params, 'action_type', ['1', '2']) === '1'
            ? await deps.comment.add.mutate({ actorId, videoId, text: requiredText(params, 'comment_text', COMMENT_TEXT) })
            : await deps.comment.remove.mutate({ actorId, videoId, commentId: requiredId(params, 'comment_id') });
        // The comment is saved (or deleted) by now: a commenter's profile that cannot be loaded must not turn that
        // into a failure, which the APK would retry and so post the comment twice.
        const [apkComment] = await apkComments([comment], actorId).catch((err: unknown) => {
          req.log.warn({ err }, 'commenter profile unavailable; answering with the bare user');
          return [toApkComment(comment, { ...ZERO_USER, id: comment.userId }, deps.timeZone)];
        });
        return ok({ comment: apkComment });
      },
    );

    app.get(
      '/douyin/comment/list/',
      { schema: { response: apkResponse({ comment_list: { type: 'array', items: CommentSchema } }) }, config: { zero: { comment_list: [] } } },
      async (req) => {
        const params = await collectParams(req);
        const videoId = requiredId(params, 'video_id');
        const viewerId = await deps.auth.viewer(tokenOf(params, req));
        return ok({ comment_list: await apkComments(await deps.comment.list.query({ videoId, limit: deps.listLimit }), viewerId) });
      },
    );
  };
