import { multipartBody } from './multipart.js';

/** One malformed APK request: method, path with query string, and an optional body with its headers. */
export interface FuzzRequest {
  method: string;
  path: string;
  body?: Buffer;
  headers: Record<string, string>;
}

type Kind = 'id' | 'action' | 'text' | 'time' | 'name' | 'password';
interface Route {
  method: 'GET' | 'POST';
  path: string;
  params: Record<string, Kind>;
  /** Only these routes write; a request to one carrying a usable token always gets one certainly invalid parameter. */
  writes?: boolean;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/douyin/feed/', params: { latest_time: 'time' } },
  { method: 'POST', path: '/douyin/user/register/', params: { username: 'name', password: 'password' }, writes: true },
  { method: 'POST', path: '/douyin/user/login/', params: { username: 'name', password: 'password' } },
  { method: 'GET', path: '/douyin/user/', params: { user_id: 'id' } },
  { method: 'POST', path: '/douyin/publish/action/', params: { title: 'text' }, writes: true },
  { method: 'GET', path: '/douyin/publish/list/', params: { user_id: 'id' } },
  { method: 'POST', path: '/douyin/favorite/action/', params: { video_id: 'id', action_type: 'action' }, writes: true },
  { method: 'GET', path: '/douyin/favorite/list/', params: { user_id: 'id' } },
  { method: 'POST', path: '/douyin/comment/action/', params: { video_id: 'id', action_type: 'action', comment_text: 'text', comment_id: 'id' }, writes: true },
  { method: 'GET', path: '/douyin/comment/list/', params: { video_id: 'id' } },
  { method: 'POST', path: '/douyin/relation/action/', params: { to_user_id: 'id', action_type: 'action' }, writes: true },
  { method: 'GET', path: '/douyin/relation/follow/list/', params: { user_id: 'id' } },
  { method: 'GET', path: '/douyin/relation/follower/list/', params: { user_id: 'id' } },
  { method: 'GET', path: '/douyin/relation/friend/list/', params: { user_id: 'id' } },
  { method: 'POST', path: '/douyin/message/action/', params: { to_user_id: 'id', action_type: 'action', content: 'text' }, writes: true },
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
const PLAUSIBLE: Record<Kind, string[]> = {
  id: ['1', '2', '3', '999999'],
  action: ['1', '2'],
  text: ['hello', '你好 🙂'],
  time: ['0', String(Date.now())],
  name: ['alice', 'someone'],
  password: ['secret1'],
};
// None of them resolves to a writing route, which would need a poisoned parameter like the routes above.
const ODD_PATHS = ['/douyin/', '/douyin/feed/../user/', '/douyin/%ff/', '/douyin/user/register/extra', '/douyin//feed', '/douyin/nope/'];
const ODD_TYPES = ['application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded; charset=latin1'];

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

/**
 * `count` malformed requests over every APK route: garbage, missing and oversized parameters, forged, tampered,
 * foreign and valid tokens, query, form, multipart, JSON and broken bodies, wrong methods and odd paths. None of
 * them may write: every request that reaches a writing route with `validToken` has a certainly invalid parameter.
 */
export function fuzzRequests(count: number, tokens: { valid: string; ofMissingUser: string }, seed = 8): FuzzRequest[] {
  const { next, pick } = random(seed);
  const tampered = tokens.valid.slice(0, -3) + (tokens.valid.endsWith('AAA') ? 'BBB' : 'AAA');
  const tokenChoices = [undefined, '', 'garbage', 'Bearer x', 'a.b.c', tampered, tokens.ofMissingUser, tokens.valid, LONG];
  const requests: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    const route = pick(ROUTES);
    const params: Record<string, string> = {};
    const token = pick(tokenChoices);
    if (token !== undefined) params.token = token;
    for (const [name, kind] of Object.entries(route.params)) {
      const roll = next();
      if (roll < 0.6) params[name] = pick(GARBAGE);
      else if (roll < 0.8) params[name] = pick(PLAUSIBLE[kind]);
      else if (roll < 0.9) params[name] = pick(INVALID[kind]);
    }
    // A write reachable with these credentials: poison one parameter the route requires.
    if (route.writes && (token === tokens.valid || route.path.includes('/register/'))) {
      const [name, kind] = pick(Object.entries(route.params).filter(([n]) => n !== 'comment_id'));
      params[name] = pick(INVALID[kind]);
    }
    const method = next() < 0.9 ? route.method : pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
    const path = next() < 0.03 ? pick(ODD_PATHS) : route.path;
    const query = new URLSearchParams(params).toString();
    const where = next();
    if (method === 'GET' || where < 0.5) {
      requests.push({ method, path: `${path}?${query}`, headers: {} });
    } else if (where < 0.75) {
      requests.push({ method, path, body: Buffer.from(query), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    } else if (where < 0.9) {
      const parts = Object.entries(params).map(([name, value]) => ({ name, value }));
      // Sometimes a file that is no video at all, or a body cut short.
      if (next() < 0.3) parts.push({ name: 'data', value: Buffer.from(pick(GARBAGE).repeat(50)), filename: 'x.mp4' } as never);
      const form = multipartBody(parts);
      const body = next() < 0.2 ? form.payload.subarray(0, Math.floor(form.payload.length * next())) : form.payload;
      requests.push({ method, path, body, headers: form.headers });
    } else {
      requests.push({ method, path: `${path}?${next() < 0.5 ? query : ''}`, body: Buffer.from(next() < 0.5 ? JSON.stringify(params) : pick(GARBAGE)), headers: { 'content-type': pick(ODD_TYPES) } });
    }
  }
  return requests;
}
