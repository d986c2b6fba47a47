// What the fuzz is made of: the APK routes with the parameters each reads and what its write needs, and values of
// each kind that a parser can trip on, that are certainly invalid, or that are plausible.

export type Kind = 'id' | 'action' | 'text' | 'time' | 'name' | 'password';
export type Params = Record<string, string>;

export interface Write {
  /** The parameters the write needs, given the request's own; poisoning one the contract does not need is no poison. */
  needs: (params: Params) => string[];
  /** register writes for anyone, whatever the token. */
  anyone?: boolean;
  /** publish: a file part that is not a video refuses it even with every parameter valid. */
  takesFile?: boolean;
}

export interface Route {
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

export const ROUTES: Route[] = [
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

export const LONG = 'x'.repeat(5_000);
// Values a parser can trip on: empty, signs, exponents, overflow, fullwidth digits, whitespace, NUL, SQL, %-escapes.
export const GARBAGE = ['', ' ', '-1', '0', '1.5', '1e309', 'NaN', 'Infinity', '0x1F', '99999999999999999999999', '１２', ' 7', '7 ', '\u0000', '\u0007x',
  "1' OR '1'='1", '1;DROP TABLE users', '%00', '%ff', '[]', '{}', 'null', 'undefined', '🙂', '\ud800', LONG, 'a\r\nb'];
/** Certainly invalid for the kind (the contract rejects it whatever else the request says). */
export const INVALID: Record<Kind, string[]> = {
  id: ['', '-5', 'abc', '1e400', '1.5', '99999999999999999999999'],
  action: ['', '0', '3', 'x', '-1', '1.0'],
  text: ['', '   ', '\u0000', 'bad\u0001text', 'x'.repeat(1_001)],
  time: ['-1', 'abc', '1e400', '99999999999999999999999'],
  name: ['', '   ', 'tab\tname', 'x'.repeat(33), '\u0000'],
  password: ['', 'abc', 'x'.repeat(33), '12345'],
};
// The ids name rows the test seeds (users and comments 1-3, videos 1-2; none is 999999), so a write that slips
// through changes one.
export const PLAUSIBLE: Record<Kind, string[]> = {
  id: ['1', '2', '3', '999999'],
  action: ['1', '2'],
  text: ['hello', '你好 🙂'],
  time: ['0', String(Date.now())],
  name: ['alice', 'someone'],
  password: ['secret1'],
};
// URLSearchParams escapes every '%', so only pairs written raw reach the server as broken escapes: cut UTF-8
// sequences, non-hex digits, overlong forms and surrogates, in values and in names.
export const BROKEN_ESCAPES = ['%', '%zz', '%E4%BD', '%ff', '%C0%AF', '%ED%A0%80', 'ok%2', '%E4%BD%A0%E5'];
// None of them resolves to a writing route, which would need a poisoned parameter like the routes above.
export const ODD_PATHS = ['/douyin/', '/douyin/feed/../user/', '/douyin/%ff/', '/douyin/user/register/extra', '/douyin//feed', '/douyin/nope/'];
export const ODD_TYPES = ['application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded; charset=latin1'];
