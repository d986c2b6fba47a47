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

type Kind = 'id' | 'action' | 'text' | 'time' | 'name' | 'password';
type Params = Record<string, string>;

interface Write {
  /** The parameters the write needs, given the request's own; poisoning one the contract does not need is no poison. */
  needs: (params: Params) => string[];
  /** register writes for anyone, whatever the token. */
  anyone?: boolean;
  /** publish: a file part that is not a video refuses it even with every parameter valid. */
  takesFile?: boolean;
}

interface Route {
  method: 'GET' | 'POST';
  path: string;
  params: Record<string, Kind>;
  /** Only these routes write; a request that could reach the write always gets one certainly invalid part. */
  write?: Write;
}

const always = (...names: string[]) => () => names;

// Contract §5.3: comment_text is needed only to add (action_type=1), comment_id only to delete (2).
const commentNeeds = (params: Params): string[] => {
  const byAction = params.action_type === '1' ? ['comment_text'] : params.action_type === '2' ? ['comment_id'] : [];
  return ['video_id', 'action_type', ...byAction];
};

const ROUTES: Route[] = [
  { method: 'GET', path: '/douyin/feed/', params: { latest_time: 'time' } },
  { method: 'POST', path: '/douyin/user/register/', params: { username: 'name', password: 'password' }, write: { needs: always('username', 'password'), anyone: true } },
  { method: 'POST', path: '/douyin/user/login/', params: { username: 'name', password: 'password' } },
  { method: 'GET', path: '/douyin/user/', params: { user_id: 'id' } },
  { method: 'POST', path: '/douyin/publish/action/', params: { title: 'text' }, write: { needs: always('title'), takesFile: true } },
  { method: 'GET', path: '/douyin/publish/list/', params: { user_id: 'id' } },
  { method: 'POST', path: '/douyin/favorite/action/', params: { video_id: 'id', action_type: 'action' }, write: { needs: always('video_id', 'action_type') } },
  { method: 'GET', path: '/douyin/favorite/list/', params: { user_id: 'id' } },
  {
    method: 'POST',
    path: '/douyin/comment/action/',
    params: { video_id: 'id', action_type: 'action', comment_text: 'text', comment_id: 'id' },
    write: { needs: commentNeeds },
  },
  { method: 'GET', path: '/douyin/comment/list/', params: { video_id: 'id' } },
  { method: 'POST', path: '/douyin/relation/action/', params: { to_user_id: 'id', action_type: 'action' }, write: { needs: always('to_user_id', 'action_type') } },
  { method: 'GET', path: '/douyin/relation/follow/list/', params: { user_id: 'id' } },
  { method: 'GET', path: '/douyin/relation/follower/list/', params: { user_id: 'id' } },
  { method: 'GET', path: '/douyin/relation/friend/list/', params: { user_id: 'id' } },
  {
    method: 'POST',
    path: '/douyin/message/action/',
    params: { to_user_id: 'id', action_type: 'action', content: 'text' },
    write: { needs: always('to_user_id', 'action_type', 'content') },
  },
  { method: 'GET', path: '/douyin/message/chat/', params: { to_user_id: 'id', pre_msg_time: 'time' } },
];

const LONG = 'x'.repeat(5_000);
// Values a parser can trip on: empty, signs, exponents, overflow, fullwidth digits, whitespace, NUL, SQL, %-escapes.
const GARBAGE = ['', ' ', '-1', '0', '1.5', '1e309', 'NaN', 'Infinity', '0x1F', '99999999999999999999999', '１２', ' 7', '7 ', '\u0000', '\u0007x',
  "1' OR '1'='1", '1;DROP TABLE users', '%00', '%ff', '[]', '{}', 'null', 'undefined', '🙂', '\ud800', LONG, 'a\r\nb'];
/** Certainly invalid for the kind (the contract rejects it whatever else the request says). */
const INVALID: Record<Kind, string[]> = {
  id: ['', '-5', 'abc', '1e400', '1.5', '99999999999999999999999'],
  action: ['', '0', '3', 'x', '-1', '1.0'],
  text: ['', '   ', '\u0000', 'bad\u0001text', 'x'.repeat(1_001)],
  time: ['-1', 'abc', '1e400', '99999999999999999999999'],
  name: ['', '   ', 'tab\tname', 'x'.repeat(33), '\u0000'],
  password: ['', 'abc', 'x'.repeat(33), '12345'],
};
// The ids name rows the test seeds (users and comments 1-3, videos 1-2; none is 999999), so a write that slips
// through changes one.
const PLAUSIBLE: Record<Kind, string[]> = {
  id: ['1', '2', '3', '999999'],
  action: ['1', '2'],
  text: ['hello', '你好 🙂'],
  time: ['0', String(Date.now())],
  name: ['alice', 'someone'],
  password: ['secret1'],
};
// URLSearchParams escapes every '%', so only pairs written raw reach the server as broken escapes: cut UTF-8
// sequences, non-hex digits, overlong forms and surrogates, in values and in names.
const BROKEN_ESCAPES = ['%', '%zz', '%E4%BD', '%ff', '%C0%AF', '%ED%A0%80', 'ok%2', '%E4%BD%A0%E5'];
// None of them resolves to a writing route, which would need a poisoned parameter like the routes above.
const ODD_PATHS = ['/douyin/', '/douyin/feed/../user/', '/douyin/%ff/', '/douyin/user/register/extra', '/douyin//feed', '/douyin/nope/'];
const ODD_TYPES = ['application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded; charset=latin1'];

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
