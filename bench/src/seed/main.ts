// `npm run seed -w @douyin/bench -- --videos 1m [--database bench_1m] [--replace]`: fills a bench_* database on
// DATABASE_URL's server at the scale of that many videos (see scale.ts), resuming an interrupted seed. A database
// holding another seed is refused, or with --replace dropped and seeded afresh.
import { parseArgs } from 'node:util';
import { benchDatabaseName, ensureDatabase, recreateDatabase, serverUrl } from '../databases.js';
import { countLabel, parseCount, scaleFor } from './scale.js';
import { SeedMismatchError, seed } from './seeder.js';

const { values } = parseArgs({ options: { videos: { type: 'string', default: '10k' }, database: { type: 'string' }, replace: { type: 'boolean', default: false } } });
const videos = parseCount(values.videos);
const scale = scaleFor(videos);
// Only bench_* databases: `--database douyin` names bench_douyin, never a deployment's own.
const name = benchDatabaseName((values.database ?? countLabel(videos)).replace(/^bench_/, ''));
const url = await ensureDatabase(serverUrl(), name);
process.stderr.write(`seeding ${name}: ${JSON.stringify(scale)}\n`);
const started = Date.now();
const replace = values.replace ? () => recreateDatabase(serverUrl(), name).then(() => undefined) : undefined;
try {
  await seed(url, scale, (line) => process.stderr.write(`${line}\n`), replace);
} catch (err) {
  if (!(err instanceof SeedMismatchError)) throw err;
  process.stderr.write(`${name}: ${err.message}; seed another database (--database), or drop this one with --replace\n`);
  process.exit(1);
}
process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
