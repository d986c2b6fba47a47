import type { FastifyPluginAsync } from 'fastify';
import { runInScope } from '@douyin/mesh';
import { LIMITS } from '@douyin/contracts';
import type { GatewayDeps } from '../deps.js';
import { discardRest, REFUSED_UPLOAD_READ_BYTES } from '../body-limits.js';
import { clientOf } from '../client-network.js';
import { addAll, collectParams, newParams, requiredId, requiredText, tokenOf, type Params } from '../params.js';
import { ok } from '../reply.js';
import { VideoSchema, apkResponse } from '../schemas.js';
import { limitUserOnceKnown } from '../rate-limit.js';
import { ApkCode, ApkError } from '../status.js';
import { readUploadForm } from '../upload.js';
import { loadUser } from '../views/users.js';
import { loadVideos } from '../views/videos.js';

export const PUBLISH_ROUTE = '/douyin/publish/action/';
/** What a form that could not be read is refused with: broken, a field too long, a video too large. */
const BODY_ERRORS = new Set<number>([ApkCode.malformedParam, ApkCode.outOfRange, ApkCode.uploadTooLarge]);

export const publishRoutes =
  (deps: GatewayDeps): FastifyPluginAsync =>
  async (app) => {
    app.post(PUBLISH_ROUTE, { schema: { response: apkResponse() }, config: { zero: {} } }, async (req, reply) => {
      let authorId: number | undefined;
      let title: string | undefined;
      // Contract §4.5 step 1, in order: token, then title. Whatever is already known when the file begins is
      // checked then, so a bad token stores nothing; the rest is checked once the form has been read.
      const author = async (params: Params) => (authorId ??= await uploader(params));
      // The APK sends its token inside the multipart body, which the rate limits' hook cannot read: the user's
      // buckets are charged here, once the token names the user.
      const uploader = async (params: Params) => {
        const userId = await deps.auth.requireUser(tokenOf(params, req));
        if (deps.limiter) await limitUserOnceKnown(deps.limiter, req, reply, userId);
        return userId;
      };
      const titleOf = (params: Params) => (title ??= requiredText(params, 'title', LIMITS.title));
      const { store, maxUploadBytes, slots } = deps.media;
      const release = slots.take(clientOf(req));
      if (!release) {
        // A client that sends its whole body before reading the answer (OkHttp) would meet a reset, not this answer,
        // if the rest were left unread: a short clip's is read and dropped (holding no slot), and the connection
        // goes on; past REFUSED_UPLOAD_READ_BYTES it closes.
        discardRest(req.raw, REFUSED_UPLOAD_READ_BYTES);
        void reply.header('retry-after', '1');
        throw new ApkError(ApkCode.rateLimited, 'too many uploads in progress, please retry in a moment');
      }

      const form = await readUploadForm(req, {
        store,
        maxBytes: maxUploadBytes,
        beforeFile: async (params) => {
          // Only a token parameter is checked before the file: a header's would be, wrongly, where the APK sends its
          // token field after the file, and a token parameter wins over the header (contract §1.1).
          if (!params.has('token')) return;
          await author(params);
          if (params.has('title')) titleOf(params);
        },
      })
        .catch(async (err: unknown) => {
          // The rest of an oversized body is not read: the connection closes after this answer.
          if (err instanceof ApkError && err.code === ApkCode.uploadTooLarge) void reply.header('connection', 'close');
          // A body that broke before its token was checked: a token from outside it (the query, the header) that is no
          // good is the answer, as on every route (contract §1 check order: authentication, then parameters).
          if (authorId === undefined && err instanceof ApkError && BODY_ERRORS.has(err.code)) {
            const outside = newParams();
            addAll(outside, req.query);
            const token = tokenOf(outside, req);
            if (token !== undefined) await deps.auth.requireUser(token);
          }
          throw err;
        })
        // The slot bounds what is being received; the publish call after it holds no upload bytes here.
        .finally(release);
      const { params, stagingKey } = form;
      try {
        // The request's budget counts from its arrival, and an upload may take longer than all of it: what the body
        // still had to tell (the APK sends its token after the file) is checked with a budget of its own.
        const afterBody = { requestId: req.id, deadline: Date.now() + deps.requestBudgetMs };
        const authorIdChecked = await runInScope(afterBody, () => author(params));
        const titleChecked = titleOf(params);
        if (stagingKey === undefined) throw new ApkError(ApkCode.missingParam, 'data (the video file) is required');
        // The video service deletes the staged upload whatever happens; deleting here too covers a call that never arrived.
        const scope = { requestId: req.id, deadline: Date.now() + deps.media.publishTimeoutMs };
        await runInScope(scope, () => deps.video.publish.mutate({ authorId: authorIdChecked, title: titleChecked, stagingKey }));
      } catch (err) {
        if (stagingKey !== undefined) await store.delete(stagingKey).catch((e: unknown) => req.log.warn({ err: e }, 'could not delete a staged upload'));
        throw err;
      }
      return ok({});
    });

    app.get(
      '/douyin/publish/list/',
      { schema: { response: apkResponse({ video_list: { type: 'array', items: VideoSchema } }) }, config: { zero: { video_list: [] } } },
      async (req) => {
        const params = await collectParams(req);
        const userId = requiredId(params, 'user_id');
        const viewerId = await deps.auth.viewer(tokenOf(params, req));
        // The profile call also answers "does this user exist" (40401), and is the author of every video.
        const [author, videos] = await Promise.all([loadUser(deps, userId, viewerId), deps.video.byAuthor.query({ authorId: userId, limit: deps.listLimit })]);
        return ok({ video_list: await loadVideos(deps, videos, viewerId, new Map([[userId, author]])) });
      },
    );
  };
