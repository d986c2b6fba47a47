// `npm run seed -w @douyin/bench -- --videos 1m [--database bench_1m]`: fills a bench_* database on DATABASE_URL's
// server at the scale of that many videos (see scale.ts), resuming an interrupted seed.
import { parseArgs } from 'node:util';
import { benchDatabaseName, ensureDatabase, serverUrl } from '../databases.js';
import { countLabel, parseCount, scaleFor } from './scale.js';
import { seed } from './seeder.js';

const { values } = parseArgs({ options: { videos: { type: 'string', default: '10k' }, database: { type: 'string' } } });
const videos = parseCount(values.videos);
const scale = scaleFor(videos);
const name = values.database ?? benchDatabaseName(countLabel(videos));
const url = await ensureDatabase(serverUrl(), benchDatabaseName(name.replace(/^bench_/, '')));
process.stderr.write(`seeding ${name}: ${JSON.stringify(scale)}\n`);
const started = Date.now();
await seed(url, scale, (line) => process.stderr.write(`${line}\n`));
process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
