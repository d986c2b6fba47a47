// The APK contract counts text in Unicode code points and bans C0 control characters (in usernames every control
// character); the gateway (with its fine-grained status codes) and the services' zod schemas share these rules so they
// can never disagree.

/** Length in Unicode code points, not UTF-16 units. */
export const codePointLength = (s: string): number => [...s].length;

// eslint-disable-next-line no-control-regex
const C0_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
// Unicode's control characters (general category Cc): C0, DEL and C1, all invisible in a name.
const ANY_CONTROL = /\p{Cc}/u;

/** True when the text holds control characters: any (C0, DEL, C1) with `strict`, otherwise C0 except \n \r \t. */
export const hasControlChars = (s: string, strict = false): boolean => (strict ? ANY_CONTROL : C0_EXCEPT_WHITESPACE).test(s);

// With the u flag a surrogate pair is one code point: only a surrogate without its other half matches.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * False for a string holding half a surrogate pair: no Unicode text, so MySQL and SQLite would store U+FFFD instead,
 * and two different names would be one. Only a caller inside the mesh can send one: the gateway decodes UTF-8.
 */
export const isWellFormedText = (s: string): boolean => !LONE_SURROGATE.test(s);

/** True when every code point is Unicode White_Space (an empty string counts as blank). */
export const isBlank = (s: string): boolean => /^\s*$/u.test(s);

export const LIMITS = {
  username: { min: 1, max: 32 },
  password: { min: 6, max: 32 },
  title: { min: 1, max: 100 },
} as const;
