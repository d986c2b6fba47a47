import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '@douyin/config';

/** The repository root (deploy/src/ -> ../../). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every app the repository has: a folder under apps/ with src/main.ts. */
export const APPS = readdirSync(join(ROOT, 'apps')).filter((app) => existsSync(join(ROOT, 'apps', app, 'src', 'main.ts')));

export const readText = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** YAML with `<<` merge keys, as docker compose reads it. */
export const readYaml = (path: string): unknown => parse(readText(path), { merge: true });
export const readYamlDocs = (path: string): unknown[] => parseAllDocuments(readText(path)).map((doc) => doc.toJS() as unknown);

interface ZodLike {
  shape?: Record<string, unknown>;
  in?: ZodLike;
}

/** The environment variable names an app's config schema reads (its `*Env` export in src/config.ts). */
export async function envNamesOf(app: string): Promise<Set<string>> {
  const module = (await import(pathToFileURL(join(ROOT, 'apps', app, 'src', 'config.ts')).href)) as Record<string, ZodLike>;
  const schema = Object.entries(module).find(([name]) => name.endsWith('Env'))?.[1];
  const shape = schema?.in?.shape ?? schema?.shape;
  if (!shape) throw new Error(`apps/${app}/src/config.ts exports no *Env zod object`);
  return new Set(Object.keys(shape));
}

/**
 * How long `app` drains on a stop before it exits anyway, with the deployment's `env` over its defaults (only the
 * settings the drain depends on: the rest, production's secrets among them, are other tests' business).
 */
export async function shutdownGraceMsOf(app: string, env: Record<string, string | undefined> = {}): Promise<number> {
  const module = (await import(pathToFileURL(join(ROOT, 'apps', app, 'src', 'config.ts')).href)) as Record<string, unknown>;
  const schema = Object.entries(module).find(([name]) => name.endsWith('Env'))?.[1] as Parameters<typeof loadConfig>[0];
  const config = loadConfig(schema, { SHUTDOWN_GRACE_MS: env.SHUTDOWN_GRACE_MS, PUBLISH_TIMEOUT_MS: env.PUBLISH_TIMEOUT_MS }) as { service?: { shutdownGraceMs?: number } };
  if (config.service?.shutdownGraceMs === undefined) throw new Error(`apps/${app}/src/config.ts has no service.shutdownGraceMs`);
  return config.service.shutdownGraceMs;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: { title: string; datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[];
}
/** Every dashboard under grafana/dashboards. */
export const dashboards = (): Dashboard[] =>
  readdirSync(join(ROOT, 'grafana/dashboards'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readText(`grafana/dashboards/${f}`)) as Dashboard);
