/** If-None-Match's weak comparison: `*`, or any listed tag equal to `etag` once `W/` is set aside. */
export function matchesNoneOf(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/**
 * Whether a Range may be honoured under If-Range (RFC 9110 §13.1.5): with no If-Range, or one naming `etag` by strong
 * comparison. A weak tag never matches, nor a date: media answers carry no Last-Modified to compare it with. Nor does a
 * repeated If-Range: sending the whole object is never wrong.
 */
export function rangeStillApplies(ifRange: string | string[] | undefined, etag: string): boolean {
  return ifRange === undefined || (typeof ifRange === 'string' && !etag.startsWith('W/') && ifRange.trim() === etag);
}
