import { BROKEN_ESCAPES, GARBAGE, INVALID, LONG, ODD_PATHS, ODD_TYPES, PLAUSIBLE, ROUTES, type Params, type Route, type Write } from './fuzz-values.js';
import { multipartBody, type FormPart } from './multipart.js';

/** One malformed APK request: method, path with query string, and an optional body with its headers. */
export interface FuzzRequest {
  method: string;
  path: string;
  body?: Buffer;
  headers: Record<string, string>;
}

/** What the requests are made of, from the mesh under test. */
export interface FuzzInputs {
  tokens: {
    /** A token the gateway accepts: every write reachable with it carries a certainly invalid part. */
    valid: string;
    /** Tokens it must refuse: of a user that does not exist, signed with another secret, expired. */
    refused: string[];
  };
  uploads: {
    /** A real video: sent only where the publish is refused for another reason. */
    video: Buffer;
    /** Files that are no video (text, still images, a cut MP4): each refuses a publish as surely as a bad title. */
    notVideos: Buffer[];
  };
}

type Random = ReturnType<typeof random>;

/** A deterministic generator (mulberry32): a failing case is reproducible from its index. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  return { next, pick };
}

/** The token parameters and Authorization headers to pick from; the valid token twice, so writes meet it often. */
function credentials({ valid, refused }: FuzzInputs['tokens']) {
  // Another first character of the signature changes its bytes, where a changed last one may only touch padding bits.
  const [header, payload, signature = ''] = valid.split('.');
  const tampered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
  const wrong = ['garbage', 'a.b.c', tampered, ...refused, LONG];
  return {
    params: [undefined, '', 'Bearer x', valid, valid, ...wrong],
    // The gateway reads `Authorization: Bearer` when no token parameter is given; the scheme is case-insensitive.
    headers: [`Bearer ${valid}`, `bearer  ${valid}`, `Token ${valid}`, 'Bearer', 'Basic YWxpY2U6c2VjcmV0MQ==', ...wrong.map((token) => `Bearer ${token}`)],
  };
}

/** How a write that a request could reach is made certainly invalid. */
type Poison = { parameter: string } | { notVideo: Buffer };

/**
 * Makes one part of a write certainly invalid: a parameter the write needs, or, on publish, the file, with every
 * parameter valid so the upload reaches the video check.
 */
function poison({ next, pick }: Random, write: Write, route: Route, params: Params, notVideos: Buffer[]): Poison {
  const needed = write.needs(params);
  if (write.takesFile && next() < 0.5) {
    for (const name of needed) params[name] = pick(PLAUSIBLE[route.params[name]!]);
    return { notVideo: pick(notVideos) };
  }
  const parameter = pick(needed);
  params[parameter] = pick(INVALID[route.params[parameter]!]);
  return { parameter };
}

/** A few `name=value` pairs written raw, with broken escapes in values or names; never the poisoned parameter. */
function rawEscapes({ next, pick }: Random, route: Route, poisoned: string | undefined): string {
  const names = Object.keys(route.params).filter((name) => name !== poisoned);
  return Array.from({ length: 1 + Math.floor(next() * 2) }, () =>
    names.length > 0 && next() < 0.7 ? `${pick(names)}=${pick(BROKEN_ESCAPES)}` : `${pick(BROKEN_ESCAPES)}=1`,
  ).join('&');
}

/** A file part for an ordinary multipart request: junk, a real video, or a file that is no video. */
function dataPart({ pick }: Random, uploads: FuzzInputs['uploads']): FormPart {
  const value = pick([Buffer.from(pick(GARBAGE).repeat(50)), uploads.video, ...uploads.notVideos]);
  return { name: 'data', value, filename: 'x.mp4' };
}

/** Fields with the file first (as the APK sends it) or last. */
const withFile = ({ next }: Random, fields: FormPart[], file: FormPart): FormPart[] => (next() < 0.5 ? [file, ...fields] : [...fields, file]);

interface Parts {
  method: string;
  path: string;
  params: Params;
  /** Pairs to write into a query string or urlencoded form unescaped. */
  raw: string;
  headers: Record<string, string>;
  /** The file that poisons a publish, which must reach the video service whole. */
  notVideo?: Buffer;
}

/** The request as sent: query string, urlencoded form, multipart form (maybe cut short), or a body of an odd type. */
function laidOut(rng: Random, { method, path, params, raw, headers, notVideo }: Parts, uploads: FuzzInputs['uploads']): FuzzRequest {
  const { next, pick } = rng;
  const query = [new URLSearchParams(params).toString(), raw].filter(Boolean).join('&');
  const fields = Object.entries(params).map(([name, value]): FormPart => ({ name, value }));
  const where = next();
  if (notVideo && method !== 'GET') {
    const form = multipartBody(withFile(rng, fields, { name: 'data', value: notVideo, filename: 'x.mp4' }));
    return { method, path, body: form.payload, headers: { ...headers, ...form.headers } };
  }
  if (method === 'GET' || where < 0.5) return { method, path: `${path}?${query}`, headers };
  if (where < 0.75) return { method, path, body: Buffer.from(query), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' } };
  if (where < 0.9) {
    // Sometimes a file (junk, a video, or no video), sometimes a body cut short.
    const form = multipartBody(next() < 0.3 ? withFile(rng, fields, dataPart(rng, uploads)) : fields);
    const body = next() < 0.2 ? form.payload.subarray(0, Math.floor(form.payload.length * next())) : form.payload;
    return { method, path, body, headers: { ...headers, ...form.headers } };
  }
  const body = Buffer.from(next() < 0.5 ? JSON.stringify(params) : pick(GARBAGE));
  return { method, path: `${path}?${next() < 0.5 ? query : ''}`, body, headers: { ...headers, 'content-type': pick(ODD_TYPES) } };
}

/**
 * `count` malformed requests over every APK route: garbage, missing and oversized parameters, raw broken escapes,
 * forged, tampered, foreign, expired and valid tokens as parameters and as Bearer headers, query, form, multipart
 * (junk, real and non-video files), JSON and broken bodies, wrong methods and odd paths. None of them may write:
 * every request that could reach a write (one with the valid token anywhere, or any register) has a certainly
 * invalid parameter, or is a publish whose file is no video.
 */
export function fuzzRequests(count: number, inputs: FuzzInputs, seed = 8): FuzzRequest[] {
  const rng = random(seed);
  const { next, pick } = rng;
  const tokens = credentials(inputs.tokens);
  const requests: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    const route = pick(ROUTES);
    const params: Params = {};
    const headers: Record<string, string> = next() < 0.2 ? { authorization: pick(tokens.headers) } : {};
    // A token parameter wins over the header: half the requests with a header carry none, so the header counts.
    const token = headers.authorization && next() < 0.5 ? undefined : pick(tokens.params);
    if (token !== undefined) params.token = token;
    for (const [name, kind] of Object.entries(route.params)) {
      const roll = next();
      if (roll < 0.6) params[name] = pick(GARBAGE);
      else if (roll < 0.8) params[name] = pick(PLAUSIBLE[kind]);
      else if (roll < 0.9) params[name] = pick(INVALID[kind]);
    }
    // Counted as usable wherever the valid token appears, even where the gateway should not read it: poisoning more
    // writes than needed costs nothing, one too few could let a write through.
    const usable = token === inputs.tokens.valid || (headers.authorization?.includes(inputs.tokens.valid) ?? false);
    const poisoned = route.write && (route.write.anyone || usable) ? poison(rng, route.write, route, params, inputs.uploads.notVideos) : undefined;
    const poisonedName = poisoned && 'parameter' in poisoned ? poisoned.parameter : undefined;

    const method = next() < 0.9 ? route.method : pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
    const path = next() < 0.03 ? pick(ODD_PATHS) : route.path;
    const raw = next() < 0.15 ? rawEscapes(rng, route, poisonedName) : '';
    const notVideo = poisoned && 'notVideo' in poisoned ? poisoned.notVideo : undefined;
    requests.push(laidOut(rng, { method, path, params, raw, headers, notVideo }, inputs.uploads));
  }
  return requests;
}
