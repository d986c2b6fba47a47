import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/** Thrown at start-up when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

interface ZodShaped {
  shape?: Record<string, unknown>;
  in?: ZodShaped;
}

/** The variable names a schema reads: its object's keys, before any transform. */
const namesOf = (schema: unknown): string[] => Object.keys((schema as ZodShaped).in?.shape ?? (schema as ZodShaped).shape ?? {});

/**
 * For any NAME a schema reads, NAME_FILE names a file holding NAME's value (a Docker or Kubernetes secret mount, or
 * one generated at deploy), so a secret (a password inside DATABASE_URL or REDIS_URL, S3_SECRET_KEY, CONSUL_TOKEN)
 * need not sit in the environment. A NAME the schema does not read is left alone: an app is not failed by another
 * app's setting. Returns the problems.
 */
function readFileSettings(names: readonly string[], env: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (file === undefined || name.endsWith('_FILE')) continue;
    // Two sources would leave it to chance which one the app uses.
    if (env[name] !== undefined) {
      problems.push(`${name}_FILE: set ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      const value = readFileSync(file, 'utf8').trim();
      if (value) env[name] = value;
      else problems.push(`${name}_FILE: ${file} is empty`);
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  return problems;
}

/** Parses the environment once through one schema; reports every problem at once and returns a frozen value. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): Readonly<z.output<S>> {
  // An empty variable (`PORT=`) means "not set", as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  const problems = readFileSettings(namesOf(schema), cleaned);
  const parsed = parseReportingAll(schema, cleaned, problems);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return deepFreeze(parsed.data);
}

/**
 * safeParse, where a check that throws ConfigError from the schema's transform (the production refusals) is reported
 * with the problems found before it: an unreadable NAME_FILE is the cause worth naming when NAME is then missing.
 */
function parseReportingAll<S extends z.ZodType>(schema: S, env: Record<string, string>, problems: string[]): z.ZodSafeParseResult<z.output<S>> {
  try {
    return schema.safeParse(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError([...problems, ...err.problems]);
    throw err;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** loadConfig for a composition root: prints every problem and exits with EX_CONFIG instead of a stack trace. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Env = process.env): Readonly<z.output<S>> {
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
}
