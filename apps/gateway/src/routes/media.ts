import type { ServerResponse } from 'node:http';
import { finished } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { markCut } from '@douyin/metrics';
import { IMMUTABLE_CACHE_CONTROL, isValidKey, type ByteRange } from '@douyin/storage';
import type { GatewayDeps } from '../deps.js';
import { matchesNoneOf, rangeStillApplies } from '../etag.js';
import { MEDIA_PREFIX } from '../media-urls.js';

/** The byte range a Range header asks for: undefined = the whole object, 'unsatisfiable' = answer 416. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined | 'unsatisfiable' {
  // Only single ranges: players seek with one; a multi-range request may be answered whole (RFC 9110 §14.2).
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '') {
    const suffix = Number(to);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  // A last position before the first makes the range invalid, and an invalid Range is ignored (RFC 9110 §14.1.1).
  if (to !== '' && Number(to) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: to === '' ? size - 1 : Math.min(Number(to), size - 1) };
}

/** An answer that is not the object: nothing of the object's caching headers may go with it. */
const uncached = (reply: FastifyReply) => {
  for (const name of ['etag', 'accept-ranges', 'content-range', 'content-length']) reply.removeHeader(name);
  return reply.header('cache-control', 'no-store');
};

/** How a media answer the gateway cut because it was stopping is counted. */
const GOING_AWAY = { code: '503', outcome: 'server_error' } as const;

const notFound = (reply: FastifyReply) => uncached(reply).code(404).type('text/plain; charset=utf-8').send('not found');

/**
 * GET/HEAD of stored objects (contract §7), plain HTTP rather than the APK envelope: exact bytes, Content-Type by
 * key, Range → 206 (If-Range honoured), a per-object ETag and immutable caching, since keys are never rewritten.
 */
export const mediaRoutes =
  (deps: Pick<GatewayDeps, 'media'>): FastifyPluginAsync =>
  async (app) => {
    // A stop waits for the requests in flight (a publish may take a minute), but a player paused mid-video would hold
    // its answer open for as long as it stays paused: media answers are cut when the gateway stops, and the player
    // asks another instance for the rest with a Range request.
    const streaming = new Set<ServerResponse>();
    let stopping = false;
    app.addHook('preClose', async () => {
      stopping = true;
      for (const res of streaming) {
        if (res.socket) markCut(res.socket, GOING_AWAY);
        res.destroy();
      }
    });

    app.route<{ Params: { '*': string } }>({
      method: ['GET', 'HEAD'],
      url: `${MEDIA_PREFIX}*`,
      exposeHeadRoute: false,
      errorHandler: (err, req, reply) => {
        req.log.error({ err, url: req.url }, 'media request failed');
        void uncached(reply).code(503).type('text/plain; charset=utf-8').send('storage unavailable');
      },
      handler: async (req, reply) => {
        const key = req.params['*'];
        if (!isValidKey(key)) return notFound(reply);
        const info = await deps.media.store.stat(key);
        if (!info) return notFound(reply);
        void reply
          .header('content-type', info.contentType)
          .header('accept-ranges', 'bytes')
          .header('etag', info.etag)
          .header('cache-control', IMMUTABLE_CACHE_CONTROL);
        if (matchesNoneOf(req.headers['if-none-match'], info.etag)) return reply.code(304).send();
        // A Range meant for another version of the object is ignored and the whole object sent, as If-Range asks.
        const range = rangeStillApplies(req.headers['if-range'], info.etag) ? parseRange(req.headers.range, info.size) : undefined;
        // A refusal of this one range is no copy of the object: a cache keeping it as one would answer plain GETs with it.
        if (range === 'unsatisfiable') return uncached(reply).code(416).header('content-range', `bytes */${info.size}`).send();
        if (range) void reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
        void reply.header('content-length', range ? range.end - range.start + 1 : info.size);
        if (req.method === 'HEAD') return reply.send();
        const body = await deps.media.store.get(key, range);
        if (!body) return notFound(reply);
        // Stopped while this one looked the object up: it would stream past the cut above.
        if (stopping) {
          body.destroy();
          return uncached(reply).code(503).header('connection', 'close').type('text/plain; charset=utf-8').send('stopping');
        }
        streaming.add(reply.raw);
        // finished, not a 'close' listener: a client that left during the lookups closed the response already.
        finished(reply.raw, () => streaming.delete(reply.raw));
        return reply.send(body);
      },
    });
  };
