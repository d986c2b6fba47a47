import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

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
