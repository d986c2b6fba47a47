import { parse } from 'fast-querystring';

const MALFORMED = Symbol('parameters whose values are not percent-encoded UTF-8');

/**
 * A query string or urlencoded form, parsed as Fastify's own parser does, with the names whose values do not decode
 * (a broken escape, `%E4%BD` cut short of a whole character) remembered: that parser keeps such a value as its raw
 * escapes, which would be stored and shown as `%E4%BD` instead of answered as malformed (contract §1: text is UTF-8).
 */
export function parseStrict(input: string): Record<string, unknown> {
  const parsed = parse(input);
  // Fastify's parser keeps a value that does not decode as written, so only a value still holding a '%' can be one
  // (or hold an escaped '%25'): most requests, text in any script included, are not looked at again.
  if (input.includes('%') && Object.values(parsed).some(holdsPercent)) {
    const malformed = malformedNames(input);
    if (malformed.size > 0) Object.defineProperty(parsed, MALFORMED, { value: malformed });
  }
  return parsed;
}

const holdsPercent = (value: unknown): boolean => (Array.isArray(value) ? value.some(holdsPercent) : typeof value === 'string' && value.includes('%'));

/** The names `parseStrict` found values of that do not decode. */
export function malformedIn(source: unknown): ReadonlySet<string> | undefined {
  return source && typeof source === 'object' ? (source as { [MALFORMED]?: Set<string> })[MALFORMED] : undefined;
}

const decoded = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};

/** The names whose first non-empty value, the one a route reads (contract §1), does not decode. */
function malformedNames(input: string): Set<string> {
  const names = new Set<string>();
  const valued = new Set<string>();
  for (const pair of input.split('&')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const value = pair.slice(at + 1);
    // Named as the parser names it: a key that does not decode either is kept as written.
    const rawName = pair.slice(0, at);
    const name = decoded(rawName) ?? rawName.replace(/\+/g, ' ');
    if (value === '' || valued.has(name)) continue;
    valued.add(name);
    if (value.includes('%') && decoded(value) === undefined) names.add(name);
  }
  return names;
}
