// The APK contract counts text in Unicode code points and bans C0 control characters; the gateway (with its
// fine-grained status codes) and the services' zod schemas share these rules so they can never disagree.

/** Length in Unicode code points, not UTF-16 units. */
export const codePointLength = (s: string): number => [...s].length;

// eslint-disable-next-line no-control-regex
const C0_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
// eslint-disable-next-line no-control-regex
const ANY_C0 = /[\u0000-\u001f]/;

/** True when the text holds control characters: any C0 with `strict`, otherwise C0 except \n \r \t. */
export const hasControlChars = (s: string, strict = false): boolean => (strict ? ANY_C0 : C0_EXCEPT_WHITESPACE).test(s);

/** True when every code point is Unicode White_Space (an empty string counts as blank). */
export const isBlank = (s: string): boolean => /^\s*$/u.test(s);

export const LIMITS = {
  username: { min: 1, max: 32 },
  password: { min: 6, max: 32 },
  title: { min: 1, max: 100 },
} as const;
