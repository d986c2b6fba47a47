import type { FastifyRequest } from 'fastify';
import { codePointLength, hasControlChars, isBlank } from '@douyin/contracts';
import { discardRest } from './body-limits.js';
import { ApkCode, ApkError } from './status.js';
import { malformedIn } from './strict-querystring.js';

/** A route's parameters: first non-empty value per name, query string before form body (contract §1). */
export type Params = ReadonlyMap<string, string>;

/** Text fields other than the upload are at most 1 MiB each (contract §1). */
export const MAX_TEXT_BYTES = 1024 * 1024;
/** A whole form's text: an urlencoded body's limit, and that of a multipart form's fields together. */
export const MAX_FORM_BYTES = 4 * MAX_TEXT_BYTES;

const TOKEN = 'token';

/**
 * A request's parameters. Reading one whose value did not decode (see parseStrict) fails with 40002, in the
 * route's own order of reading them: a token that does not decode is no token, which the token check says first.
 */
class RequestParams extends Map<string, string> {
  readonly undecodable = new Set<string>();

  override get(name: string): string | undefined {
    if (this.undecodable.size > 0 && this.undecodable.has(name)) {
      throw new ApkError(ApkCode.malformedParam, `${name} is not percent-encoded UTF-8`);
    }
    return super.get(name);
  }
}

/** An empty set of parameters for addAll to fill. */
export const newParams = (): Map<string, string> => new RequestParams();

/** Adds each name's first non-empty value from a query or body object, keeping values already present. */
export function addAll(into: Map<string, string>, source: unknown): void {
  if (!source || typeof source !== 'object') return;
  const undecodable = into instanceof RequestParams ? malformedIn(source) : undefined;
  for (const [name, raw] of Object.entries(source)) {
    const values = Array.isArray(raw) ? raw : [raw];
    const value = values.find((v): v is string => typeof v === 'string' && v !== '');
    if (value === undefined || into.has(name)) continue;
    into.set(name, value);
    if (undecodable?.has(name) && name !== TOKEN) (into as RequestParams).undecodable.add(name);
  }
}

/** Multipart fields read before the handler (by the rate limits, which need the token), for collectParams to use. */
const fieldsRead = new WeakMap<FastifyRequest, Promise<Map<string, string>>>();

/**
 * A multipart body's fields (its file parts drained), read once however often asked: a body that cannot be read
 * fails every asker alike (40002 / 40003).
 */
export function multipartFields(req: FastifyRequest): Promise<Map<string, string>> {
  let fields = fieldsRead.get(req);
  if (!fields) {
    const read = new Map<string, string>();
    fields = addMultipartFields(read, req).then(() => read);
    fieldsRead.set(req, fields);
  }
  return fields;
}

/**
 * The parameters of a request whose multipart body could not be read (40002, 40003): the token is looked up in the
 * query string (tokenOf), and reading any other parameter fails with the body's error. Routes read the token first,
 * so a bad one is what they report (contract §1 check order: authentication, then parameters).
 */
class UnreadBodyParams extends Map<string, string> {
  constructor(
    query: Map<string, string>,
    readonly error: ApkError,
  ) {
    super(query);
  }

  override get(name: string): string | undefined {
    if (name !== TOKEN) throw this.error;
    return super.get(name);
  }

  override has(name: string): boolean {
    if (name !== TOKEN) throw this.error;
    return super.has(name);
  }
}

/** Collects parameters from the query string, then an urlencoded or multipart body; file parts are skipped. */
export async function collectParams(req: FastifyRequest): Promise<Params> {
  const params = newParams();
  addAll(params, req.query);
  if (req.isMultipart()) {
    try {
      for (const [name, value] of await multipartFields(req)) if (!params.has(name)) params.set(name, value);
    } catch (err) {
      if (!(err instanceof ApkError)) throw err;
      return new UnreadBodyParams(params, err);
    }
  } else {
    addAll(params, req.body);
  }
  return params;
}

/**
 * Adds a multipart form's text fields to `params` one by one. Each may hold 1 MiB (one byte more marks it
 * truncated: 40003), and all of them together what an urlencoded form may, which busboy alone would let grow to
 * 32 MiB held in memory for as long as the client takes to send the rest.
 */
export function multipartFieldAdder(params: Map<string, string>): (part: { fieldname: string; value: unknown; valueTruncated: boolean }) => void {
  let bytes = 0;
  return (part) => {
    if (part.valueTruncated) throw new ApkError(ApkCode.outOfRange, `${part.fieldname} is too long`);
    bytes += typeof part.value === 'string' ? Buffer.byteLength(part.value) : 0;
    if (bytes > MAX_FORM_BYTES) throw new ApkError(ApkCode.outOfRange, 'the form\'s fields are too long together');
    addAll(params, { [part.fieldname]: part.value });
  };
}

/**
 * A part the multipart plugin would parse as JSON before anything could count its bytes: 1 MiB of `[[],[],...]` is
 * hundreds of thousands of objects, and the form's limit counts only text. Such parts are read as files (drained, or
 * on publish counted as upload bytes); JSON is no part of the contract (§1).
 */
export const isJsonPart = (contentType: string | undefined) => contentType?.startsWith('application/json') === true;

const isFileOrJsonPart = (_field: string | undefined, contentType: string | undefined, fileName: string | undefined) =>
  fileName !== undefined || isJsonPart(contentType);

async function addMultipartFields(params: Map<string, string>, req: FastifyRequest): Promise<void> {
  const addField = multipartFieldAdder(params);
  try {
    for await (const part of req.parts({ isPartAFile: isFileOrJsonPart })) {
      if (part.type === 'file') {
        part.file.resume(); // only publish/action takes a file; elsewhere it is drained and ignored
        continue;
      }
      addField(part);
    }
  } catch (err) {
    // Whatever the parser would still read is held in memory until the request ends (every field it parses).
    discardRest(req.raw, MAX_FORM_BYTES);
    if (err instanceof ApkError) throw err;
    // The multipart parser reports a broken body (bad boundary, truncated part) as a plain Error.
    throw new ApkError(ApkCode.malformedParam, 'malformed multipart body');
  }
}

export interface TextRule {
  min: number;
  max: number;
  /** Usernames allow no control characters at all; other text allows \n \r \t. */
  strictControl?: boolean;
  /** Passwords may be all spaces; every other text must not be blank. */
  allowBlank?: boolean;
}

/** A required text parameter checked against the contract's length, control-character and blank rules. */
export function requiredText(params: Params, name: string, rule: TextRule): string {
  const value = params.get(name);
  if (value === undefined) throw new ApkError(ApkCode.missingParam, `${name} is required`);
  if (Buffer.byteLength(value) > MAX_TEXT_BYTES) throw new ApkError(ApkCode.outOfRange, `${name} is too long`);
  const length = codePointLength(value);
  if (length < rule.min || length > rule.max) {
    throw new ApkError(ApkCode.outOfRange, `${name} must be ${rule.min}-${rule.max} characters`);
  }
  if (hasControlChars(value, rule.strictControl)) throw new ApkError(ApkCode.outOfRange, `${name} must not contain control characters`);
  if (!rule.allowBlank && isBlank(value)) throw new ApkError(ApkCode.outOfRange, `${name} must not be blank`);
  return value;
}

/** An optional id: decimal digits only, 1 … 2^53−1 (contract §1). */
export function optionalId(params: Params, name: string): number | undefined {
  const value = params.get(name);
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new ApkError(ApkCode.malformedParam, `${name} must be a positive integer`);
  const id = Number(value);
  // Anything past 2^53−1 parses to at least 2^53, so this also rejects values that would round.
  if (id < 1 || id > Number.MAX_SAFE_INTEGER) throw new ApkError(ApkCode.malformedParam, `${name} is out of range`);
  return id;
}

/** A required id parameter. */
export function requiredId(params: Params, name: string): number {
  const id = optionalId(params, name);
  if (id === undefined) throw new ApkError(ApkCode.missingParam, `${name} is required`);
  return id;
}

const INT64_MAX = 2n ** 63n - 1n;

/** An optional epoch-ms parameter: decimal digits only, 0 … 2^63−1, read as at most 2^53−1; units are the caller's business. */
export function optionalEpochMs(params: Params, name: string): number | undefined {
  const value = params.get(name);
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new ApkError(ApkCode.malformedParam, `${name} must be a non-negative integer`);
  // An int64 on the wire (§4.1), such as a client's Long.MAX_VALUE for "no bound": any value up to its maximum is a
  // time, and those past 2^53−1 lie far beyond every publish and create time, as the largest one JS holds exactly does.
  const digits = value.replace(/^0+(?=\d)/, '');
  if (digits.length > 19 || BigInt(digits) > INT64_MAX) throw new ApkError(ApkCode.malformedParam, `${name} is out of range`);
  return Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
}

/** A required `action_type`-like enum: missing → 40001, any value not listed (`3`, `0`, `x`) → 40004. */
export function requiredAction<T extends string>(params: Params, name: string, allowed: readonly T[]): T {
  const value = params.get(name);
  if (value === undefined) throw new ApkError(ApkCode.missingParam, `${name} is required`);
  const action = allowed.find((a) => a === value);
  if (action === undefined) throw new ApkError(ApkCode.badActionType, `${name} must be one of ${allowed.join(', ')}`);
  return action;
}

/** The caller's token: the `token` parameter, else an `Authorization: Bearer` header. */
export function tokenOf(params: Params, req: FastifyRequest): string | undefined {
  const fromParams = params.get(TOKEN);
  if (fromParams !== undefined) return fromParams;
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  // No token where it could be read: it may have been in the body that could not be, so that is the answer, not
  // "token missing" (which tells a phone its user is logged out).
  if (!match && params instanceof UnreadBodyParams) throw params.error;
  return match?.[1];
}
