import { z } from 'zod';

/**
 * An http:// or https:// URL with a host. Plain z.url() takes `consul:8500` too, as the scheme `consul:` with no
 * host, and a client handed that quietly dials somewhere else or fails every call.
 */
export const httpUrl = (example: string) =>
  // abort: a check chained after this one parses the value again, which must not see what is not a URL.
  z.url({ protocol: z.regexes.httpProtocol, abort: true, error: `must be an http:// or https:// URL, e.g. ${example}` });

/**
 * An http(s) origin: scheme, host and port only, for a client that keeps no more of the URL, so that a path, query
 * or credentials in it are refused rather than dropped without a word.
 */
export const httpOrigin = (example: string) =>
  httpUrl(example).refine((value) => {
    const url = new URL(value);
    return url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  }, `must be an http:// or https:// URL without path, query or credentials, e.g. ${example}`);
