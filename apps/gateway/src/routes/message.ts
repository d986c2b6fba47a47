import type { FastifyPluginAsync } from 'fastify';
import { MESSAGE_CONTENT } from '@douyin/contracts';
import { markStream, metricsFor } from '@douyin/metrics';
import { toApkMessage } from '../apk.js';
import { createChatHub } from '../chat-hub.js';
import type { GatewayDeps } from '../deps.js';
import { collectParams, optionalEpochMs, requiredAction, requiredId, requiredText, tokenOf } from '../params.js';
import { pushStream } from '../push-stream.js';
import { ok } from '../reply.js';
import { MessageSchema, apkResponse } from '../schemas.js';

// Comments every 15 s keep proxies and NATs from closing an idle push connection.
const HEARTBEAT_MS = 15_000;

const REPLACED = { status_code: 42901, status_msg: 'too many push connections for this user: a newer one replaced this one' };
const EXPIRED = { status_code: 40102, status_msg: 'token expired, please log in again' };
/** The longest a Node timer waits: a token valid longer than this ends its connection then, and the client resumes. */
const MAX_TIMER_MS = 2_147_483_647;

export const messageRoutes =
  (deps: GatewayDeps): FastifyPluginAsync =>
  async (app) => {
    // The push channel's connections on this gateway (route below); messages sent through it are handed over at once.
    const metrics = metricsFor('gateway');
    const hub = createChatHub({
      message: deps.message,
      logger: deps.logger,
      metrics,
      connectionsPerUser: deps.pushConnectionsPerUser,
    });
    app.addHook('preClose', async () => hub.close());

    app.post('/douyin/message/action/', { schema: { response: apkResponse() }, config: { zero: {} } }, async (req) => {
      const params = await collectParams(req);
      const fromId = await deps.auth.requireUser(tokenOf(params, req));
      const toId = requiredId(params, 'to_user_id');
      requiredAction(params, 'action_type', ['1']);
      const content = requiredText(params, 'content', MESSAGE_CONTENT);
      hub.publish(await deps.message.send.mutate({ fromId, toId, content }));
      return ok({});
    });

    app.get(
      '/douyin/message/chat/',
      { schema: { response: apkResponse({ message_list: { type: 'array', items: MessageSchema } }) }, config: { zero: { message_list: [] } } },
      async (req) => {
        const params = await collectParams(req);
        const viewerId = await deps.auth.requireUser(tokenOf(params, req));
        const peerId = requiredId(params, 'to_user_id');
        // Taken as ms, never converted (§6.6): a seconds value lies in 1970, so that poll returns the first messages
        // the peer ever sent the viewer (LIST_LIMIT of them), which an APK that appends polled messages shows twice.
        const after = optionalEpochMs(params, 'pre_msg_time');
        const messages = await deps.message.conversation.query({ viewerId, peerId, after, limit: deps.listLimit });
        return ok({ message_list: messages.map(toApkMessage) });
      },
    );

    // Push channel (beyond the APK): server-sent events of every message the token's user sends or receives with
    // create_time > `since` (ms, default: now on the message service's clock), each once per connection, as
    // `event: message` with the APK Message as data: at once when sent through this gateway, else within a poll, so
    // not always in create_time order. A client that must not miss anything opens it before loading the chat and
    // merges by id.
    // Each message event and heartbeat carries an `id:`, where a new connection resumes this one: EventSource sends
    // it back as Last-Event-ID when it reconnects, which wins over the `since` its URL still carries (another client
    // passes it as `since`). A resumed connection may deliver again what the last one did shortly before it ended.
    // A connection ends when its token expires, with `event: closed` (status 40102: the client logs in again).
    // A user's connection beyond PUSH_CONNECTIONS_PER_USER ends the oldest, with `event: closed` (status 42901); one
    // whose client stops reading is cut once PUSH_UNSENT_LIMIT waits unsent; one whose reads keep failing while
    // messages reach it through this gateway ends past the hub's seenLimit (its client then resumes).
    app.get('/douyin/message/push/', { config: { zero: {} } }, async (req, reply) => {
      const params = await collectParams(req);
      const { userId, expiresAtMs } = await deps.auth.requireSession(tokenOf(params, req));
      const resumed = req.headers['last-event-id'];
      const since =
        (typeof resumed === 'string' && resumed !== '' ? optionalEpochMs(new Map([['Last-Event-ID', resumed]]), 'Last-Event-ID') : undefined) ??
        optionalEpochMs(params, 'since') ??
        // Now on the clock that stamps messages: a gateway clock ahead of it would skip those stamped in between.
        (await hub.now());
      reply.hijack();
      const res = reply.raw;
      // The client may have gone while its token was checked: nothing to serve, nothing to subscribe. (From here to
      // the close listener below nothing awaits, so no close can slip in between.)
      if (res.destroyed || !res.socket || res.socket.destroyed) return;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      markStream(req);
      const stream = pushStream(res, () => {
        metrics.pushStalled.inc();
        req.log.info({ userId }, 'push client stopped reading; connection ended');
      });
      stream.comment('connected', since);
      const heartbeat = setInterval(() => stream.comment('ping', subscription.resumeFrom()), HEARTBEAT_MS);
      // A connection would otherwise go on delivering a user's messages long after the token that opened it expired
      // (heartbeats keep it open): it ends then, as every route would refuse that token.
      const expiry = setTimeout(() => {
        subscription.unsubscribe();
        clearInterval(heartbeat);
        stream.event('closed', EXPIRED);
        stream.end();
      }, Math.min(Math.max(0, expiresAtMs - Date.now()), MAX_TIMER_MS));
      const subscription = hub.subscribe(userId, since, {
        deliver: (m, resumeFrom) => stream.event('message', toApkMessage(m), resumeFrom),
        end: (why) => {
          clearInterval(heartbeat);
          clearTimeout(expiry);
          // Said before closing, so a client can tell this from a network drop and not reconnect at once.
          if (why === 'replaced') stream.event('closed', REPLACED);
          stream.end();
        },
      });
      // The response's close, not the request's: a request emits 'close' once its body has been read, which for a
      // GET with a body (any Content-Type) is before this handler runs.
      res.once('close', () => {
        clearInterval(heartbeat);
        clearTimeout(expiry);
        subscription.unsubscribe();
      });
    });
  };
