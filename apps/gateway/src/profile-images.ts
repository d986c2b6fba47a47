import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { matchesNoneOf } from './etag.js';
import { encodePng } from './png.js';

/** Where the gateway serves the images every profile shows: the APK has no way to upload an avatar or a banner. */
export const PROFILE_IMAGE_PREFIX = '/static/';

export interface ProfileImageUrls {
  avatar: string;
  background: string;
}

export const profileImageUrls = (publicBaseUrl: string): ProfileImageUrls => ({
  avatar: `${publicBaseUrl}${PROFILE_IMAGE_PREFIX}avatar.png`,
  background: `${publicBaseUrl}${PROFILE_IMAGE_PREFIX}background.png`,
});

type Rgb = readonly [number, number, number];
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as unknown as Rgb;

/** A neutral head-and-shoulders silhouette, edges smoothed by 4×4 samples a pixel. */
function avatar(size = 240): Buffer {
  const inside = (x: number, y: number) =>
    Math.hypot(x - size / 2, y - size * 0.38) < size * 0.18 || Math.hypot(x - size / 2, y - size * 1.04) < size * 0.38;
  return encodePng(size, size, (x, y) => {
    let covered = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4)) covered++;
    return mix([226, 232, 240], [148, 163, 184], covered / 16);
  });
}

/** A dark diagonal gradient, 3:1 as profile banners are. */
function background(width = 1080, height = 360): Buffer {
  return encodePng(width, height, (x, y) => mix([22, 24, 35], [72, 36, 88], 0.7 * (x / width) + 0.3 * (y / height)));
}

// A Map, not an object: a name such as `constructor` or `toString` must not find what every object inherits.
const DRAW = new Map<string, () => Buffer>([
  ['avatar.png', () => avatar()],
  ['background.png', () => background()],
]);

/** GET/HEAD of the default profile images, drawn on first request and kept: a few kilobytes each. */
export const profileImageRoutes: FastifyPluginAsync = async (app) => {
  const drawn = new Map<string, { png: Buffer; etag: string }>();
  app.get<{ Params: { name: string } }>(`${PROFILE_IMAGE_PREFIX}:name`, async (req, reply) => {
    const draw = DRAW.get(req.params.name);
    if (!draw) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    let image = drawn.get(req.params.name);
    if (!image) {
      const png = draw();
      image = { png, etag: `"${createHash('sha256').update(png).digest('base64url').slice(0, 16)}"` };
      drawn.set(req.params.name, image);
    }
    reply.header('etag', image.etag).header('cache-control', 'public, max-age=86400');
    if (matchesNoneOf(req.headers['if-none-match'], image.etag)) return reply.code(304).send();
    return reply.type('image/png').send(image.png);
  });
};
