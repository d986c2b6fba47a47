import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPS, envNamesOf, readText } from './workspace.js';

interface Row {
  names: string[];
  apps: string[];
}

/**
 * The README's configuration rows: names in the first cell, the apps that read them in the second ("all",
 * "services" or app names). `A_B_C` / `_D` is shorthand for a variable whose name is a prefix of the first name
 * (cut at an underscore) followed by `_D`: `MESH_BREAKER_ERROR_PERCENT` / `_VOLUME` names MESH_BREAKER_VOLUME,
 * `RATE_LIMIT_READ_IP` / `_WRITE_USER` names RATE_LIMIT_WRITE_USER. Which prefix is meant is told by `known`, the
 * names some app reads; a shorthand that names none of them is kept as written, to fail the checks.
 */
function configurationRows(readme: string, known: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  for (const line of readme.split('\n')) {
    const [, names, apps] = line.split('|').map((cell) => cell.trim());
    if (!names?.startsWith('`') || !apps) continue;
    const listed = [...names.matchAll(/`([A-Z_][A-Z0-9_]*)`/g)].map((m) => m[1]!);
    const first = listed[0]!;
    const expand = (suffix: string) =>
      [...first.matchAll(/_/g)].map((m) => first.slice(0, m.index) + suffix).find((name) => known.has(name)) ?? suffix;
    rows.push({ names: listed.map((name) => (name.startsWith('_') ? expand(name) : name)), apps: apps.split(',').map((a) => a.trim()) });
  }
  return rows;
}

const readsIt = (row: Row, app: string) =>
  row.apps.includes('all') || row.apps.includes(app) || (row.apps.includes('services') && app !== 'gateway');

const readers = async () => new Map(await Promise.all(APPS.map(async (app) => [app, await envNamesOf(app)] as const)));
const rowsFor = (reads: ReadonlyMap<string, ReadonlySet<string>>) =>
  configurationRows(readText('README.md'), new Set([...reads.values()].flatMap((names) => [...names])));

test('the README documents every variable each app reads, for that app', async () => {
  const reads = await readers();
  const rows = rowsFor(reads);
  assert.ok(rows.length > 30, `found ${rows.length} configuration rows`);
  for (const [app, names] of reads) {
    for (const name of names) {
      assert.ok(
        rows.some((row) => row.names.includes(name) && readsIt(row, app)),
        `${name}, read by ${app}, has no README row naming it for ${app}`,
      );
    }
  }
});

test('every variable the README documents is read by the apps its row names', async () => {
  const reads = await readers();
  for (const row of rowsFor(reads)) {
    const apps = APPS.filter((app) => readsIt(row, app));
    assert.ok(apps.length > 0, `${row.names.join(' / ')}: no app matches ${row.apps.join(', ')}`);
    for (const name of row.names) {
      for (const app of apps) assert.ok(reads.get(app)!.has(name), `${name}: the README says ${app} reads it, its config schema does not`);
    }
  }
});

test('.env.example lists every variable the apps read, and only those', async () => {
  const read = new Set([...(await readers()).values()].flatMap((names) => [...names]));
  const listed = new Set([...readText('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
  for (const name of read) assert.ok(listed.has(name), `${name} is missing from .env.example`);
  for (const name of listed) assert.ok(read.has(name), `.env.example lists ${name}, which no app reads`);
});
