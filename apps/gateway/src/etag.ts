/** If-None-Match's weak comparison: `*`, or any listed tag equal to `etag` once `W/` is set aside. */
export function matchesNoneOf(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => opaque(tag) === opaque(etag));
}
